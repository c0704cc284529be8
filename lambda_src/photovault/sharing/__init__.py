"""Share links: unguessable tokens that expire, can be revoked and count their views atomically."""
