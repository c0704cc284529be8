# One role per function, each with only the actions and resources its code uses.

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.functions

  name               = "${var.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

# ENI management for functions in a VPC. The EC2 network-interface actions do not support resource-level
# permissions, so AWS's managed policy (ec2 ENI actions only, no logs or data access) is the least privilege.
resource "aws_iam_role_policy_attachment" "vpc_access" {
  for_each = var.functions

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaENIManagementAccess"
}

locals {
  # On the table only: an index is read-only, and its ARN in a write grant would only hide what the role may do.
  table_item_actions = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:TransactWriteItems",
    "dynamodb:ConditionCheckItem",
    "dynamodb:Query",
  ]

  # Query on exactly the indexes each function's code uses (resources.json functions.<name>.table_indexes): the api
  # lists shares by owner (gsi2) and must not read gsi1, the operators' index of every user's photos by status.
  index_arns = {
    for name, fn in var.functions : name => [for index in fn.table_indexes : "${var.table_arn}/index/${index}"]
    if length(fn.table_indexes) > 0
  }
}

data "aws_iam_policy_document" "query_indexes" {
  for_each = local.index_arns

  statement {
    sid       = "QueryIndexes"
    actions   = ["dynamodb:Query"]
    resources = each.value
  }
}

data "aws_iam_policy_document" "worker" {
  source_policy_documents = [for name, document in data.aws_iam_policy_document.query_indexes : document.json if name == "worker"]

  #checkov:skip=CKV_AWS_356:Resource "*" only on rekognition:Detect* (calls to the AWS-owned built-in models have no resource ARN; only custom-model project versions, which this project does not use, are ARN-scoped) and xray:Put* (no resource-level permissions). Every other statement names its ARNs.
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["worker"].arn}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"] # X-Ray has no resource-level permissions
  }

  statement {
    sid       = "ReadIngestQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [aws_sqs_queue.ingest.arn]
  }

  statement {
    sid       = "ReadOriginals"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.bucket_arns["originals"]}/${var.ingest.upload_prefix}*"]
  }

  statement {
    # An upload whose photo record is gone (deleted by its owner, expired unused, or never requested through the API)
    # must not stay in S3: a form used after its photo was deleted would otherwise leave the original for ever. The
    # worker deletes every version of such an upload's key, and nothing outside uploads/.
    sid       = "DeleteUnclaimedUploads"
    actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = ["${var.bucket_arns["originals"]}/${var.ingest.upload_prefix}*"]
  }

  statement {
    # Each run writes under a new media/<media_id>/ folder. Deletes (every version: the bucket is versioned): a run
    # whose result was not written takes back the folder it had just written, a reprocess the earlier run's folder.
    sid       = "WriteDerivatives"
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = ["${var.bucket_arns["derivatives"]}/media/*"]
  }

  statement {
    # Without ListBucket, S3 answers 403 rather than 404 for a missing key: a deleted upload would look like an
    # outage and be retried into the DLQ. ListBucketVersions finds every version of an unclaimed upload to delete.
    # Scoped to the worker's two prefixes.
    sid       = "ListPhotoObjects"
    actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
    resources = [var.bucket_arns["originals"], var.bucket_arns["derivatives"]]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.ingest.upload_prefix}*", "media/*"]
    }
  }

  statement {
    sid       = "Table"
    actions   = concat(local.table_item_actions, ["dynamodb:BatchGetItem"]) # BatchGetItem: the faces a new face matches
    resources = [var.table_arn]
  }

  statement {
    sid = "Analyse"
    actions = [
      "rekognition:DetectLabels",
      "rekognition:DetectFaces",
      "rekognition:DetectText",
      "rekognition:DetectModerationLabels",
    ]
    resources = ["*"] # Rekognition's Detect* image APIs have no resource-level permissions
  }

  statement {
    # People: index a photo's faces into its owner's collection and cluster them; reprocessing replaces them.
    sid       = "FaceCollections"
    actions   = ["rekognition:CreateCollection", "rekognition:IndexFaces", "rekognition:SearchFaces", "rekognition:DeleteFaces"]
    resources = [local.face_collections_arn]
  }

  statement {
    sid       = "Caption"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.bedrock_model_arn]
  }

  statement {
    sid       = "EmbedPhotos"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.embedding_model_arn]
  }

  statement {
    # A READY photo's vector in, a reprocess that ends elsewhere takes it out; no reads.
    sid       = "WriteVectors"
    actions   = ["s3vectors:PutVectors", "s3vectors:DeleteVectors"]
    resources = [var.embedding.vector_index_arn]
  }

  statement {
    # A geotagged photo's position into its city, region and country; only on this environment's place index.
    sid       = "ReverseGeocode"
    actions   = ["geo:SearchPlaceIndexForPosition"]
    resources = [aws_location_place_index.this.index_arn]
  }

  statement {
    sid       = "PublishEvents"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]
  }

  statement {
    # The first photo of a burst queues its owner's digest timer: a delayed message on the jobs queue.
    sid       = "QueueDigestTimers"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.jobs.arn]
  }

  statement {
    sid       = "UseKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

data "aws_iam_policy_document" "api" {
  source_policy_documents = [for name, document in data.aws_iam_policy_document.query_indexes : document.json if name == "api"]

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["api"].arn}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"] # X-Ray has no resource-level permissions
  }

  statement {
    # Presigned POST is signed with the function's credentials: the browser's upload is authorised by this.
    sid       = "PresignUploads"
    actions   = ["s3:PutObject"]
    resources = ["${var.bucket_arns["originals"]}/${var.ingest.upload_prefix}*"]
  }

  statement {
    # The owner's "original" link is a short presigned GET (originals are not behind CloudFront).
    sid       = "ReadOriginals"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["originals"]}/${var.ingest.upload_prefix}*"]
  }

  statement {
    # Deleting a photo removes every version of its original (the bucket is versioned) and its derivatives.
    sid     = "DeletePhotos"
    actions = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = [
      "${var.bucket_arns["originals"]}/${var.ingest.upload_prefix}*",
      "${var.bucket_arns["derivatives"]}/media/*",
    ]
  }

  statement {
    sid       = "ListPhotoObjects"
    actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
    resources = [var.bucket_arns["originals"], var.bucket_arns["derivatives"]]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.ingest.upload_prefix}*", "media/*"]
    }
  }

  statement {
    sid       = "Table"
    actions   = concat(local.table_item_actions, ["dynamodb:BatchGetItem"])
    resources = [var.table_arn]
  }

  statement {
    # Trash takes a photo's faces out of its owner's collection; restore indexes them again from the preview.
    sid       = "FaceCollections"
    actions   = ["rekognition:CreateCollection", "rekognition:IndexFaces", "rekognition:SearchFaces", "rekognition:DeleteFaces"]
    resources = [local.face_collections_arn]
  }

  statement {
    sid       = "ReadPreviews"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["derivatives"]}/media/*"]
  }

  statement {
    sid       = "EmbedQueries"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.embedding_model_arn]
  }

  statement {
    # QueryVectors with a metadata filter (the owner) or returnMetadata needs GetVectors too; deleting a photo
    # deletes its vector.
    sid       = "SearchVectors"
    actions   = ["s3vectors:QueryVectors", "s3vectors:GetVectors", "s3vectors:DeleteVectors"]
    resources = [var.embedding.vector_index_arn]
  }

  statement {
    # The e-mail opt-in: one subscription per owner on the events topic (filtered to the owner's digests), removed on
    # opt-out; GetSubscriptionAttributes notices one removed by the unsubscribe link in a mail. The subscription's
    # ARN is the topic's plus ":<id>": that topic only, never another.
    sid       = "EmailSubscriptions"
    actions   = ["sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes"]
    resources = [aws_sns_topic.events.arn, "${aws_sns_topic.events.arn}:*"]
  }

  statement {
    # The CloudFront signing key, and the origin secret that proves a request came through CloudFront.
    sid       = "ReadParameters"
    actions   = ["ssm:GetParameter"]
    resources = [var.signing_key_parameter_arn, var.origin_verify_parameter.arn]
  }

  statement {
    sid       = "UseKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

locals {
  # Each function's own policy (purge.tf, jobs.tf and forwarder.tf hold theirs).
  function_policies = {
    api       = data.aws_iam_policy_document.api.json
    worker    = data.aws_iam_policy_document.worker.json
    purge     = data.aws_iam_policy_document.purge.json
    jobs      = data.aws_iam_policy_document.jobs.json
    forwarder = data.aws_iam_policy_document.forwarder.json
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = var.functions

  name   = "${var.name_prefix}-${each.key}"
  role   = aws_iam_role.this[each.key].id
  policy = local.function_policies[each.key]
}
