"""The HTTP API: response contract v1 (issue 11)."""
