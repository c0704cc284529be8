"""The library use cases behind the HTTP API: uploads, gallery, photo detail, deletion, search and label facets."""
