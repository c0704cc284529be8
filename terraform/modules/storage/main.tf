# Storage of one environment, split by concern: kms.tf (the one regional key), buckets.tf (originals, derivatives,
# web), logs.tf (the access-log bucket), table.tf (DynamoDB), vectors.tf (S3 Vectors, search by meaning).

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition

  # Data buckets are SSE-KMS with the CMK and log to the logs bucket; the logs bucket is the log target itself.
  data_buckets = setsubtract(var.buckets, ["logs"])

  # Buckets CloudFront reads through Origin Access Control.
  cdn_buckets = toset(["web", "derivatives"])
}
