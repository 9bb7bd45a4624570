"""Keyword trends: the term index (papers per term) and series, emerging terms, corpora."""
