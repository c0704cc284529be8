"""The API's routes, one Powertools ``Router`` per resource (``photovault.api.app`` includes them all)."""
