# Root composition: wires the modules. Shared names and settings come from resources.json (locals.tf).

# Plans fail when the tfvars file and the selected workspace disagree (e.g. prod.tfvars in the dev workspace).
resource "terraform_data" "environment_guard" {
  input = var.environment

  lifecycle {
    precondition {
      condition     = var.environment == terraform.workspace
      error_message = "environment (${var.environment}) does not match the selected workspace (${terraform.workspace}): use environments/${terraform.workspace}.tfvars or select the ${var.environment} workspace."
    }
  }
}

module "storage" {
  source = "./modules/storage"

  name_prefix                 = local.name_prefix
  buckets                     = toset(local.resources.buckets)
  upload_prefix               = local.ingest.upload_prefix
  exports                     = local.exports
  table                       = local.table
  deletion_protection         = var.deletion_protection
  force_destroy               = var.force_destroy
  site_origins                = [local.site_url]
  uploads_cors                = local.resources.uploads_cors
  vectors                     = merge(local.resources.vectors, { dimension = var.embedding.dimension })
  cloudfront_distribution_arn = module.cdn.distribution_arn
  tags                        = var.tags
}

module "networking" {
  source = "./modules/networking"

  name_prefix        = local.name_prefix
  cidr_block         = var.network.cidr_block
  availability_zones = var.network.availability_zones
  enable_nat_gateway = var.network.enable_nat_gateway
  kms_key_arn        = module.storage.kms_key_arn
  log_retention_days = var.log_retention_days
  tags               = var.tags

  # Endpoint policies: only this account's principals, only what the functions use, on this environment's resources.
  endpoint_access = {
    bucket_arns        = [for role in ["originals", "derivatives"] : module.storage.bucket_arns[role]]
    table_arn          = module.storage.table_arn
    bedrock_model_id   = var.bedrock_model_id
    embedding_model_id = var.embedding.model_id
    vector_index_arn   = module.storage.vector_index_arn
  }
}

module "compute" {
  source = "./modules/compute"

  name_prefix                = local.name_prefix
  environment                = var.environment
  functions                  = local.functions
  architecture               = var.lambda_architecture
  reserved_concurrency       = var.reserved_concurrency
  ingest                     = local.ingest
  worker_maximum_concurrency = var.worker_maximum_concurrency
  purge                      = local.purge
  jobs                       = local.jobs
  exports                    = local.exports
  table_stream_arn           = module.storage.table_stream_arn
  events_topic_role          = local.resources.topics.events_role
  kms_key_arn                = module.storage.kms_key_arn
  bucket_names               = module.storage.bucket_names
  bucket_arns                = module.storage.bucket_arns
  table_name                 = module.storage.table_name
  table_arn                  = module.storage.table_arn
  subnet_ids                 = module.networking.private_subnet_ids
  security_group_ids         = [module.networking.lambda_security_group_id]
  bedrock_model_id           = var.bedrock_model_id
  moderation_threshold       = var.moderation_threshold
  embedding = {
    model_id         = var.embedding.model_id
    dimension        = var.embedding.dimension
    vector_bucket    = module.storage.vector_bucket_name
    vector_index     = module.storage.vector_index_name
    vector_index_arn = module.storage.vector_index_arn
  }
  max_upload_bytes           = var.max_upload_bytes
  upload_quota               = var.upload_quota
  media_base_url             = local.site_url
  cloudfront_key_pair_id     = module.cdn.public_key_id
  signing_key_parameter_name = module.cdn.signing_key_parameter_name
  signing_key_parameter_arn  = module.cdn.signing_key_parameter_arn
  origin_verify_parameter    = { name = module.cdn.origin_verify_parameter_name, arn = module.cdn.origin_verify_parameter_arn }
  user_pool                  = { id = module.api.user_pool_id, arn = module.api.user_pool_arn }
  log_retention_days         = var.log_retention_days
  xray_sdk_tracing           = var.xray_sdk_tracing
  tags                       = var.tags
}

module "api" {
  source = "./modules/api"

  name_prefix         = local.name_prefix
  function_name       = module.compute.function_names["api"]
  function_invoke_arn = module.compute.function_invoke_arns["api"]
  routes              = local.resources.api.routes
  route_prefix        = local.resources.api.route_prefix
  user_pool           = local.resources.user_pool
  callback_urls       = ["${local.site_url}/", "${local.site_url}/auth/callback"]
  mfa_configuration   = local.cognito_mfa
  identity_providers  = var.identity_providers
  threat_protection   = var.cognito_threat_protection
  deletion_protection = var.deletion_protection
  throttling          = var.api_throttling
  kms_key_arn         = module.storage.kms_key_arn
  log_retention_days  = var.log_retention_days
  tags                = var.tags
}

module "cdn" {
  source = "./modules/cdn"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix                             = local.name_prefix
  web_bucket_regional_domain_name         = module.storage.bucket_regional_domain_names["web"]
  derivatives_bucket_regional_domain_name = module.storage.bucket_regional_domain_names["derivatives"]
  logs_bucket_arn                         = module.storage.bucket_arns["logs"]
  api_domain_name                         = module.api.api_domain_name
  signing_public_key_pem                  = var.signing_public_key_pem
  kms_key_arn                             = module.storage.kms_key_arn
  connect_sources = compact([
    "https://${module.storage.bucket_regional_domain_names["originals"]}",
    "https://cognito-idp.${var.region}.amazonaws.com",
    module.api.hosted_ui_url, # the code-for-tokens exchange of social sign-in (empty without providers)
  ])
  domain                   = var.domain
  web_acl_arn              = one(module.edge_waf[*].web_acl_arn)
  origin_verify_generation = var.origin_verify_generation
  tags                     = var.tags
}

# AWS WAF where the environment is public (waf.enabled): at the edge in front of CloudFront (us-east-1), and on the
# Cognito user pool, whose sign-in and sign-up the browser calls directly, not through CloudFront.
module "edge_waf" {
  source = "./modules/waf"
  count  = var.waf.enabled ? 1 : 0

  providers = {
    aws = aws.us_east_1
  }

  name        = "${local.name_prefix}-edge"
  description = "PhotoVault edge protection"
  scope       = "CLOUDFRONT"
  rate_limits = {
    "rate-limit-per-ip" = { limit = var.waf.rate_limit }
    "uploads-per-ip"    = { limit = var.waf.uploads_rate_limit, path_prefix = "${local.resources.api.route_prefix}/uploads" }
    "public-per-ip"     = { limit = var.waf.public_rate_limit, path_prefix = "${local.resources.api.route_prefix}/public/" }
  }
  log_group_name     = "aws-waf-logs-${local.name_prefix}" # its name before it moved here from the cdn module
  log_retention_days = var.log_retention_days
  tags               = var.tags
}

module "auth_waf" {
  source = "./modules/waf"
  count  = var.waf.enabled ? 1 : 0

  name        = "${local.name_prefix}-auth"
  description = "PhotoVault sign-in and sign-up (Cognito user pool)"
  scope       = "REGIONAL"
  rate_limits = {
    "auth-per-ip" = { limit = var.waf.auth_rate_limit }
  }
  associations       = { user_pool = module.api.user_pool_arn }
  kms_key_arn        = module.storage.kms_key_arn
  log_retention_days = var.log_retention_days
  tags               = var.tags
}

module "web" {
  source = "./modules/web"

  bucket_name         = module.storage.bucket_names["web"]
  kms_key_arn         = module.storage.kms_key_arn
  source_dir          = "${path.root}/../web"
  vendor_dir          = "${path.root}/../node_modules"
  environment         = var.environment
  region              = var.region
  user_pool_id        = module.api.user_pool_id
  user_pool_client_id = module.api.user_pool_client_id
  mfa_configuration   = local.cognito_mfa
  hosted_ui_url       = module.api.hosted_ui_url
  identity_providers  = module.api.identity_providers
  max_upload_bytes    = var.max_upload_bytes
  tags                = var.tags
}

module "monitoring" {
  source = "./modules/monitoring"

  name_prefix                = local.name_prefix
  environment                = var.environment
  worker_function_name       = module.compute.function_names["worker"]
  worker_timeout_seconds     = local.functions["worker"].timeout
  max_receive_count          = local.ingest.max_receive_count
  api_function_name          = module.compute.function_names["api"]
  ingest_queue_name          = module.compute.ingest_queue_name
  ingest_dlq_name            = module.compute.dlq_name
  intake_queue_name          = module.compute.intake_queue_name
  intake_dlq_name            = module.compute.intake_dlq_name
  forwarder_function_name    = module.compute.function_names["forwarder"]
  purge_function_name        = module.compute.function_names["purge"]
  purge_failures_queue_name  = module.compute.purge_failures_queue_name
  jobs_function_name         = module.compute.function_names["jobs"]
  jobs_queue_name            = module.compute.jobs_queue_name
  jobs_dlq_name              = module.compute.jobs_dlq_name
  table_name                 = module.storage.table_name
  http_api_id                = module.api.api_id
  http_api_stage             = module.api.stage_name
  cloudfront_distribution_id = module.cdn.distribution_id
  alarm_email                = var.alarm_email
  kms_key_arn                = module.storage.kms_key_arn
  metric_namespace           = "PhotoVault"
  tags                       = var.tags
}
