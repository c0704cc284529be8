# Search by meaning: one S3 Vectors bucket, encrypted with the environment's key, and one cosine index of the
# embedding model's vectors. The index is named after its dimension because dimension and metric are fixed at
# creation: another model means another index (and a backfill: make reprocess ARGS="--steps embed").
# Every metadata key stays filterable (provider 6.25 has no metadata_configuration): the code writes owner, photo_id
# and model only, far below the 2 KB of filterable metadata a vector may carry.

locals {
  vector_bucket_name = "${var.name_prefix}-${var.vectors.bucket_role}"
  # Known before apply, so the key policy can name the bucket without depending on it (no cycle).
  vector_bucket_arn = "arn:${local.partition}:s3vectors:${local.region}:${local.account_id}:bucket/${local.vector_bucket_name}"
}

resource "aws_s3vectors_vector_bucket" "this" {
  vector_bucket_name = local.vector_bucket_name
  force_destroy      = var.force_destroy
  tags               = var.tags

  encryption_configuration = [{
    sse_type    = "aws:kms"
    kms_key_arn = aws_kms_key.this.arn
  }]

  depends_on = [aws_kms_key_policy.this] # S3 Vectors' indexing service must be allowed to use the key first
}

resource "aws_s3vectors_index" "photos" {
  vector_bucket_name = aws_s3vectors_vector_bucket.this.vector_bucket_name
  index_name         = "${var.vectors.index_prefix}-${var.vectors.dimension}"
  data_type          = var.vectors.data_type
  dimension          = var.vectors.dimension
  distance_metric    = var.vectors.distance_metric
  tags               = var.tags
}
