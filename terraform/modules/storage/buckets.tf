# The data buckets (originals, derivatives, web): private, versioned, SSE-KMS with the environment's key, logging to
# the logs bucket (logs.tf). CloudFront reads web and derivatives through OAC; browsers POST originals.

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Single-region product by design; durability comes from S3 (11 nines), versioning and noncurrent-version retention. Cross-region replication would double storage of private photos in a second jurisdiction.
  for_each = local.data_buckets

  bucket        = "${var.name_prefix}-${each.key}-${local.account_id}"
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.data_buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    object_ownership = "BucketOwnerEnforced" # ACLs disabled
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.data_buckets

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.data_buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.data_buckets

  bucket = aws_s3_bucket.this[each.key].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "this" {
  for_each = local.data_buckets

  bucket        = aws_s3_bucket.this[each.key].id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/${each.key}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = local.data_buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    id     = "abort-incomplete-multipart"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  dynamic "rule" {
    # Downloads and exports are copies made for a person to fetch within days: they expire, every version of them.
    for_each = each.key == "originals" ? [var.exports] : []

    content {
      id     = "expire-exports"
      status = "Enabled"

      filter {
        prefix = rule.value.prefix
      }

      expiration {
        days = rule.value.expiration_days
      }

      noncurrent_version_expiration {
        noncurrent_days = 1
      }
    }
  }

  dynamic "rule" {
    # Originals are rarely read after processing: let S3 move cold ones to cheaper tiers automatically.
    for_each = each.key == "originals" ? [var.upload_prefix] : []

    content {
      id     = "originals-intelligent-tiering"
      status = "Enabled"

      filter {
        prefix = rule.value
      }

      transition {
        days          = 0
        storage_class = "INTELLIGENT_TIERING"
      }
    }
  }
}

# Browsers upload originals with a presigned POST from the site origin only (the rule is resources.json's
# uploads_cors, which the local stack applies too).
resource "aws_s3_bucket_cors_configuration" "originals" {
  bucket = aws_s3_bucket.this["originals"].id

  cors_rule {
    allowed_methods = var.uploads_cors.allowed_methods
    allowed_origins = var.site_origins
    allowed_headers = var.uploads_cors.allowed_headers
    expose_headers  = var.uploads_cors.expose_headers
    max_age_seconds = var.uploads_cors.max_age_seconds
  }
}

locals {
  # What every data bucket refuses besides plain HTTP, whoever asks: TLS below 1.2, and writes that ask for another
  # encryption than the environment's key (SSE-S3, another KMS key, a customer-provided key the functions could never
  # read back). Writes that name no encryption (the presigned POST, the worker's derivatives) get the key from
  # default encryption; one that names it must give the key's full ARN.
  bucket_denials = {
    DenyOutdatedTls          = { actions = ["s3:*"], test = "NumericLessThan", variable = "s3:TlsVersion", values = ["1.2"] }
    DenyOtherEncryption      = { actions = ["s3:PutObject"], test = "StringNotEqualsIfExists", variable = "s3:x-amz-server-side-encryption", values = ["aws:kms"] }
    DenyOtherKmsKey          = { actions = ["s3:PutObject"], test = "StringNotEqualsIfExists", variable = "s3:x-amz-server-side-encryption-aws-kms-key-id", values = [aws_kms_key.this.arn] }
    DenyCustomerProvidedKeys = { actions = ["s3:PutObject"], test = "Null", variable = "s3:x-amz-server-side-encryption-customer-algorithm", values = ["false"] }
  }
}

data "aws_iam_policy_document" "bucket" {
  for_each = local.data_buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this[each.key].arn, "${aws_s3_bucket.this[each.key].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = local.bucket_denials

    content {
      sid       = statement.key
      effect    = "Deny"
      actions   = statement.value.actions
      resources = contains(statement.value.actions, "s3:*") ? [aws_s3_bucket.this[each.key].arn, "${aws_s3_bucket.this[each.key].arn}/*"] : ["${aws_s3_bucket.this[each.key].arn}/*"]

      principals {
        type        = "*"
        identifiers = ["*"]
      }

      condition {
        test     = statement.value.test
        variable = statement.value.variable
        values   = statement.value.values
      }
    }
  }

  dynamic "statement" {
    for_each = contains(local.cdn_buckets, each.key) ? [each.key] : []

    content {
      sid       = "CloudFrontOriginAccessControl"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.this[each.key].arn}/*"]

      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = [var.cloudfront_distribution_arn]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = local.data_buckets

  bucket = aws_s3_bucket.this[each.key].id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# Audit trail of object changes on every data bucket; the originals bucket's SQS notification is owned by the
# compute module (aws_s3_bucket_notification is one resource per bucket), so only the others are set here.
resource "aws_s3_bucket_notification" "this" {
  for_each = setsubtract(local.data_buckets, ["originals"])

  bucket      = aws_s3_bucket.this[each.key].id
  eventbridge = true
}

