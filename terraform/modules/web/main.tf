# The single-page app's files in the web bucket, plus the /config.json the app reads at start-up.

locals {
  # Only these types are uploaded (README.md and other stray files are not part of the site).
  content_types = {
    css  = "text/css; charset=utf-8"
    html = "text/html; charset=utf-8"
    ico  = "image/x-icon"
    js   = "text/javascript; charset=utf-8"
    json = "application/json"
    png  = "image/png"
    svg  = "image/svg+xml"
    txt  = "text/plain; charset=utf-8"
    webp = "image/webp"
  }

  files = {
    for file in fileset(var.source_dir, "**") : file => lower(reverse(split(".", basename(file)))[0])
    if contains(keys(local.content_types), lower(reverse(split(".", basename(file)))[0])) && file != "vendor.json"
  }

  # Files of npm packages the app loads as they are (web/vendor.json: the map's base layer and its reader), from the
  # installed node_modules, under vendor/<package>/<file>: the local static server serves the same list. Nothing here
  # requires node_modules (validate and the plan tests run without npm); a deploy gets them from `make build`, which
  # installs them and which `make plan` and the plan/apply workflows run first.
  vendor_packages = jsondecode(file("${var.source_dir}/vendor.json")).packages
  vendor_matches = {
    for package, patterns in local.vendor_packages : package => distinct(flatten([
      for pattern in patterns : tolist(fileset("${var.vendor_dir}/${package}", pattern))
    ]))
  }
  vendor_files = merge([
    for package, files in local.vendor_matches : {
      for file in files : "vendor/${package}/${file}" => {
        source    = "${var.vendor_dir}/${package}/${file}"
        extension = lower(reverse(split(".", basename(file)))[0])
      }
    }
  ]...)

  # File names are not fingerprinted: HTML is revalidated on every load, the rest may be stale for five minutes.
  cache_control = {
    html = "no-cache"
  }

  config = {
    environment    = var.environment
    region         = var.region
    apiBaseUrl     = "/api"
    maxUploadBytes = var.max_upload_bytes
    auth = {
      mode       = "cognito"
      region     = var.region
      userPoolId = var.user_pool_id
      clientId   = var.user_pool_client_id
      endpoint   = "https://cognito-idp.${var.region}.amazonaws.com/"
      authFlow   = "USER_PASSWORD_AUTH"
      tokenUse   = "id"
      mfa        = var.mfa_configuration
      # Social sign-in (authorization code + PKCE through the hosted UI): no URL, no providers, no buttons.
      hostedUi = { url = var.hosted_ui_url, providers = var.hosted_ui_url == "" ? [] : var.identity_providers }
    }
  }
}

# source_hash, not etag: objects are SSE-KMS encrypted, so S3's ETag is not the MD5 and etag would never converge.
resource "aws_s3_object" "this" {
  for_each = local.files

  bucket                 = var.bucket_name
  key                    = each.key
  source                 = "${var.source_dir}/${each.key}"
  source_hash            = filemd5("${var.source_dir}/${each.key}")
  content_type           = local.content_types[each.value]
  cache_control          = lookup(local.cache_control, each.value, "public, max-age=300")
  server_side_encryption = "aws:kms"
  kms_key_id             = var.kms_key_arn
  tags                   = var.tags
}

resource "aws_s3_object" "vendor" {
  for_each = local.vendor_files

  bucket                 = var.bucket_name
  key                    = each.key
  source                 = each.value.source
  source_hash            = filemd5(each.value.source)
  content_type           = local.content_types[each.value.extension]
  cache_control          = "public, max-age=300"
  server_side_encryption = "aws:kms"
  kms_key_id             = var.kms_key_arn
  tags                   = var.tags
}

resource "aws_s3_object" "config" {
  bucket                 = var.bucket_name
  key                    = "config.json"
  content                = jsonencode(local.config)
  content_type           = local.content_types["json"]
  cache_control          = "no-cache"
  server_side_encryption = "aws:kms"
  kms_key_id             = var.kms_key_arn
  tags                   = var.tags
}

