"""The ingest pipeline: from an S3 ObjectCreated event to a terminal, searchable photo record."""
