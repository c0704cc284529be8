"""Search: one normalisation for indexing and querying, and the term index built from an analysis."""
