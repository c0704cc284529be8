"""The caller's account: its sessions (sign-out everywhere, tokens valid after)."""
