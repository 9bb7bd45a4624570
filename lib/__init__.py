"""Papers dashboard logic: importers, the store, and everything pages compute.

Nothing in this package imports streamlit; pages/ draw, lib/ computes.
"""
