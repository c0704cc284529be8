# The one DynamoDB table (design in resources.json): on-demand, PITR, TTL, stream, the environment's key.

resource "aws_dynamodb_table" "this" {
  name                        = var.table.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = var.table.hash_key
  range_key                   = var.table.range_key
  stream_enabled              = true
  stream_view_type            = var.table.stream_view_type
  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags

  dynamic "attribute" {
    for_each = var.table.attributes

    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.table.global_secondary_indexes

    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = length(global_secondary_index.value.non_key_attributes) > 0 ? global_secondary_index.value.non_key_attributes : null
    }
  }

  ttl {
    attribute_name = var.table.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }
}
