"""Notifications that reach a person: the opt-in e-mail subscription and one digest per burst of photos."""
