# The environment's one customer-managed key, in the stack's region: buckets, table, queues, both SNS topics
# (photo events and alarms), log groups (the Cognito WAF's too), the Lambda environment and the SSM parameters all
# use it. Its policy names each AWS service that must use it on our behalf (CloudWatch Logs, S3 notifications,
# CloudWatch alarms, CloudFront OAC), so no second key with a copy of this policy is needed. The only other key is
# the edge WAF's us-east-1 key (waf module): KMS keys are regional and its logs must go to a log group in us-east-1.

resource "aws_kms_key" "this" {
  description             = "${var.name_prefix}: photos, metadata, queues, topics, logs and secrets"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.deletion_protection ? 30 : 7
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:Key policy, not an identity policy: Resource "*" is this key only; the account-root statement is the AWS default that lets IAM delegate use of the key.
  #checkov:skip=CKV_AWS_111:Key policy, not an identity policy: Resource "*" is this key only; every service statement is limited to this account and environment (SourceAccount, SourceArn, ViaService and encryption-context conditions).
  #checkov:skip=CKV_AWS_356:Key policy, not an identity policy: Resource "*" is the only valid resource in a key policy and means this key.
  # Key policies differ from identity policies: Resource "*" means "this key". The account-root statement is the
  # AWS default; without it IAM policies (the functions' roles) cannot be granted use of the key.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }

  # S3 and CloudWatch use the key only through the encrypted queue or topic they write to (kms:ViaService), only for
  # this environment's queues and topics (the encryption context SQS and SNS send with every data-key request), and
  # only on behalf of this account's bucket and alarms.
  statement {
    sid       = "S3EventNotificationsToEncryptedQueue"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.this["originals"].arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sqs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:sqs:arn"
      values   = ["arn:${local.partition}:sqs:${local.region}:${local.account_id}:${var.name_prefix}-*"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsToEncryptedTopic"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name_prefix}-*"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:sns:topicArn"
      values   = ["arn:${local.partition}:sns:${local.region}:${local.account_id}:${var.name_prefix}-*"]
    }
  }

  # CloudFront reads the web and derivatives objects through S3 (OAC), which asks KMS for the object's data key
  # with the bucket's ARN as encryption context (S3 Bucket Keys; the object's ARN for objects written before).
  statement {
    sid       = "CloudFrontOriginAccessControl"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [var.cloudfront_distribution_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values   = flatten([for role in local.cdn_buckets : [aws_s3_bucket.this[role].arn, "${aws_s3_bucket.this[role].arn}/*"]])
    }
  }

  # S3 Vectors indexes in the background with its own service principal, which must read the bucket's data keys;
  # without this, writes fail with "Insufficient access to perform asynchronous indexing". Only for this account's
  # vector bucket, only through S3 Vectors.
  statement {
    sid       = "S3VectorsIndexing"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["indexing.s3vectors.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.vector_bucket_arn, "${local.vector_bucket_arn}/*"]
    }
  }
}

resource "aws_kms_key_policy" "this" {
  key_id = aws_kms_key.this.id
  policy = data.aws_iam_policy_document.kms.json
}

