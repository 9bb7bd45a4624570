"""Full-text search: text analysis, the query language, the BM25F index and ranked results."""
