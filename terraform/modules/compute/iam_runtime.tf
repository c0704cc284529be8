# What a function's role needs whatever the function does, as documents the function policies build on
# (source_policy_documents): writing its own log group and traces, and using the environment's key only through the
# services the purge and the jobs function call. (The api's and the worker's policies in iam.tf still carry their own
# copies of these statements.)

data "aws_iam_policy_document" "runtime" {
  for_each = var.functions

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[each.key].arn}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"] # X-Ray has no resource-level permissions
  }
}

data "aws_iam_policy_document" "key_through_services" {
  statement {
    sid       = "UseKeyThroughServices"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [for service in ["dynamodb", "s3", "sqs"] : "${service}.${local.region}.amazonaws.com"]
    }
  }
}
