"""Topics found automatically (NMF over the term index): the model, shares over time, emerging topics."""
