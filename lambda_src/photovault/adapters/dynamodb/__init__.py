"""DynamoDB adapters on the single table: one repository per aggregate (photos, shares) and their item codecs."""
