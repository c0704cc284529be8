"""PhotoVault: a private, multi-user photo vault (Lambda package)."""
