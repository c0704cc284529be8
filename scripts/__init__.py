"""Operator and developer scripts (run as modules: ``python -m scripts.<name>``)."""
