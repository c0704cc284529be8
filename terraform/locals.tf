locals {
  # One source of names and settings shared with the local stack (scripts/local_stack).
  resources = jsondecode(file("${path.module}/resources.json"))

  name_prefix = "${var.project}-${terraform.workspace}"

  functions = {
    for name, fn in local.resources.functions : name => {
      handler       = fn.handler
      memory_size   = fn.memory_size
      timeout       = fn.timeout
      table_indexes = fn.table_indexes
      zip_path      = "${path.root}/../dist/${name}.zip"
    }
  }

  ingest  = local.resources.ingest
  jobs    = local.resources.jobs
  exports = local.resources.exports
  # The stream mapping's filter patterns go to AWS as JSON documents (and to the local stream poller as they are).
  purge = merge(local.resources.purge, {
    filter_patterns = [for pattern in local.resources.purge.filter_patterns : jsonencode(pattern)]
  })

  table = {
    name                     = "${local.name_prefix}-${local.resources.table.role}"
    hash_key                 = local.resources.table.hash_key
    range_key                = local.resources.table.range_key
    attributes               = local.resources.table.attributes
    global_secondary_indexes = local.resources.table.global_secondary_indexes
    ttl_attribute            = local.resources.table.ttl_attribute
    stream_view_type         = local.resources.table.stream_view_type
  }

  # prod requires MFA unless its tfvars decide otherwise; elsewhere people may enrol a TOTP app.
  cognito_mfa = coalesce(var.cognito_mfa, var.environment == "prod" ? "ON" : "OPTIONAL")

  site_domain = var.domain != null ? var.domain.name : module.cdn.distribution_domain_name
  site_url    = "https://${local.site_domain}"
}
