# VPC endpoints: the functions reach AWS only through these (no NAT by default). Each endpoint's policy lets only
# this account's principals do, on this environment's resources, what the functions' code calls; the roles (compute
# module) grant each function its share of that. A new AWS call needs its action here too.

locals {
  # Names every resource of this environment starts with (resources.json: <project>-<environment>-<role>).
  environment_arn = {
    for service in ["sqs", "sns", "logs"] : service => "arn:${local.partition}:${service}:${local.region}:${local.account_id}"
  }

  endpoint_statements = {
    s3 = [
      {
        actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]
        resources = [for arn in var.endpoint_access.bucket_arns : "${arn}/*"]
      },
      {
        actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
        resources = var.endpoint_access.bucket_arns
      },
    ]
    dynamodb = [
      {
        actions = [
          "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
          "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:TransactWriteItems", "dynamodb:ConditionCheckItem",
        ]
        resources = [var.endpoint_access.table_arn, "${var.endpoint_access.table_arn}/index/*"]
      },
    ]
    rekognition = [
      {
        actions   = ["rekognition:DetectLabels", "rekognition:DetectFaces", "rekognition:DetectText", "rekognition:DetectModerationLabels"]
        resources = ["*"] # the Detect* APIs on AWS's built-in models have no resource ARN
      },
      {
        # People: each user's face collection, all under this environment's prefix
        actions   = ["rekognition:CreateCollection", "rekognition:IndexFaces", "rekognition:SearchFaces", "rekognition:DeleteFaces"]
        resources = ["arn:${local.partition}:rekognition:${local.region}:${local.account_id}:collection/${var.name_prefix}-faces-*"]
      },
    ]
    bedrock-runtime = [
      {
        actions = ["bedrock:InvokeModel"]
        resources = [
          for model in [var.endpoint_access.bedrock_model_id, var.endpoint_access.embedding_model_id] :
          "arn:${local.partition}:bedrock:${local.region}::foundation-model/${model}"
        ]
      },
    ]
    s3vectors = [
      {
        actions   = ["s3vectors:PutVectors", "s3vectors:DeleteVectors", "s3vectors:QueryVectors", "s3vectors:GetVectors"]
        resources = [var.endpoint_access.vector_index_arn]
      },
    ]
    "geo.places" = [
      {
        # Amazon Location's place indexes (SearchPlaceIndexForPosition is served on the places.geo host)
        actions   = ["geo:SearchPlaceIndexForPosition"]
        resources = ["arn:${local.partition}:geo:${local.region}:${local.account_id}:place-index/${var.name_prefix}-*"]
      },
    ]
    sns = [
      {
        # Publish (photo events, digests); the e-mail opt-in's subscription on the events topic (its ARN is the
        # topic's plus ":<id>", inside the same pattern).
        actions   = ["sns:Publish", "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes"]
        resources = ["${local.environment_arn["sns"]}:${var.name_prefix}-*"]
      },
    ]
    sqs = [
      {
        actions   = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
        resources = ["${local.environment_arn["sqs"]}:${var.name_prefix}-*"]
      },
    ]
    logs = [
      {
        actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        resources = ["${local.environment_arn["logs"]}:log-group:/aws/lambda/${var.name_prefix}-*:*"]
      },
    ]
    kms = [
      {
        actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
        resources = [var.kms_key_arn]
      },
    ]
    ssm = [
      {
        actions   = ["ssm:GetParameter"]
        resources = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${var.name_prefix}/*"]
      },
    ]
    sts = [
      {
        actions   = ["sts:GetCallerIdentity"]
        resources = ["*"] # no resource: it only names the caller
      },
    ]
    xray = [
      {
        actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
        resources = ["*"] # X-Ray has no resource-level permissions
      },
    ]
  }
}

data "aws_iam_policy_document" "endpoint" {
  #checkov:skip=CKV_AWS_356:Endpoint policy, not an identity policy: Resource "*" only for Rekognition Detect*, X-Ray and sts:GetCallerIdentity, which have no resource ARNs; every statement is limited to this account's principals (aws:PrincipalAccount).
  #checkov:skip=CKV_AWS_111:Endpoint policy, not an identity policy: every write is limited to this account's principals and to this environment's buckets, table, topics, queues, log groups and key by ARN.
  for_each = setunion(["s3", "dynamodb"], var.interface_endpoint_services)

  dynamic "statement" {
    for_each = local.endpoint_statements[each.key]

    content {
      actions   = statement.value.actions
      resources = statement.value.resources

      principals {
        type        = "*"
        identifiers = ["*"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:PrincipalAccount"
        values   = [local.account_id]
      }
    }
  }
}

resource "aws_vpc_endpoint" "gateway" {
  for_each = toset(["s3", "dynamodb"])

  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
  policy            = data.aws_iam_policy_document.endpoint[each.key].json

  tags = merge(var.tags, {
    Name = "${var.name_prefix}-${each.key}"
  })
}

resource "aws_vpc_endpoint" "interface" {
  for_each = var.interface_endpoint_services

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [for zone in var.availability_zones : aws_subnet.private[zone].id]
  security_group_ids  = [aws_security_group.endpoints.id]
  policy              = data.aws_iam_policy_document.endpoint[each.key].json

  tags = merge(var.tags, {
    Name = "${var.name_prefix}-${each.key}"
  })
}

