"""The papers on disk and on their way in: the store (the one module that writes), the
table's schema, merging, importing the upstream formats, live fetches and exports."""
