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
  table                       = local.table
  deletion_protection         = var.deletion_protection
  site_origins                = [local.site_url]
  cloudfront_distribution_arn = module.cdn.distribution_arn
}

module "networking" {
  source = "./modules/networking"

  name_prefix        = local.name_prefix
  cidr_block         = var.network.cidr_block
  availability_zones = var.network.availability_zones
  enable_nat_gateway = var.network.enable_nat_gateway
  kms_key_arn        = module.storage.kms_key_arn
  log_retention_days = var.log_retention_days
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
  max_upload_bytes           = var.max_upload_bytes
  media_base_url             = local.site_url
  cloudfront_key_pair_id     = module.cdn.public_key_id
  signing_public_key_pem     = var.signing_public_key_pem
  log_retention_days         = var.log_retention_days
}

module "api" {
  source = "./modules/api"

  name_prefix         = local.name_prefix
  function_name       = module.compute.function_names["api"]
  function_invoke_arn = module.compute.function_invoke_arns["api"]
  callback_urls       = ["${local.site_url}/"]
  mfa_configuration   = var.cognito_mfa
  deletion_protection = var.deletion_protection
  throttling          = var.api_throttling
  kms_key_arn         = module.storage.kms_key_arn
  log_retention_days  = var.log_retention_days
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
  signing_public_key_pem                  = module.compute.signing_public_key_pem
  connect_sources = [
    "https://${module.storage.bucket_regional_domain_names["originals"]}",
    "https://cognito-idp.${var.region}.amazonaws.com",
  ]
  domain             = var.domain
  waf                = var.waf
  log_retention_days = var.log_retention_days
}

module "web" {
  source = "./modules/web"

  bucket_name         = module.storage.bucket_names["web"]
  kms_key_arn         = module.storage.kms_key_arn
  source_dir          = "${path.root}/../web"
  environment         = var.environment
  region              = var.region
  user_pool_id        = module.api.user_pool_id
  user_pool_client_id = module.api.user_pool_client_id
  max_upload_bytes    = var.max_upload_bytes
}

module "monitoring" {
  source = "./modules/monitoring"

  name_prefix                = local.name_prefix
  environment                = var.environment
  worker_function_name       = module.compute.function_names["worker"]
  api_function_name          = module.compute.function_names["api"]
  ingest_queue_name          = module.compute.ingest_queue_name
  ingest_dlq_name            = module.compute.dlq_name
  table_name                 = module.storage.table_name
  http_api_id                = module.api.api_id
  http_api_stage             = module.api.stage_name
  cloudfront_distribution_id = module.cdn.distribution_id
  alarm_email                = var.alarm_email
  log_retention_days         = var.log_retention_days
  metric_namespace           = "PhotoVault"
}
