"""Purging a removed photo: when a photo item leaves the table (delete forever, empty trash, the 30-day TTL of the
trash, an upload that never arrived), everything it pointed at goes too — driven by the table's stream."""
