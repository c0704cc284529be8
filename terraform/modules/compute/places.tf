# Places from GPS: the worker reverse-geocodes each geotagged photo at ingest (photovault.adapters.location) on this
# Amazon Location place index, reached from the private subnets through the geo.places interface endpoint
# (networking module). The names are stored with the photo, so the index's intended use is Storage (SingleUse
# forbids keeping results); HERE offers Storage everywhere, Esri does not.

resource "aws_location_place_index" "this" {
  index_name  = "${var.name_prefix}-places"
  data_source = var.place_data_source
  description = "PhotoVault: reverse geocoding of photos' GPS positions into city, region and country"
  tags        = var.tags

  data_source_configuration {
    intended_use = "Storage"
  }
}
