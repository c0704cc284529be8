# The storage module on its own: private, encrypted buckets that refuse plain HTTP, old TLS and any other
# encryption; uploads only from the site; a key policy that lets AWS services use the key only through the
# service that needs it, for this environment; the table's protection; teardown only when allowed.

mock_provider "aws" {}

# Computed values the assertions compare: known during the plan (mock values would be unknown until apply).
override_resource {
  target          = aws_kms_key.this
  override_during = plan
  values          = { arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001" }
}

override_resource {
  target          = aws_s3_bucket.this["originals"]
  override_during = plan
  values          = { arn = "arn:aws:s3:::pv-test-originals" }
}

override_resource {
  target          = aws_s3_bucket.this["derivatives"]
  override_during = plan
  values          = { arn = "arn:aws:s3:::pv-test-derivatives" }
}

override_resource {
  target          = aws_s3_bucket.this["web"]
  override_during = plan
  values          = { arn = "arn:aws:s3:::pv-test-web" }
}

override_data {
  target = data.aws_region.current
  values = { region = "eu-west-1" }
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "111122223333" }
}

override_data {
  target = data.aws_partition.current
  values = { partition = "aws" }
}

variables {
  name_prefix                 = "pv-test"
  buckets                     = ["originals", "derivatives", "web", "logs"]
  upload_prefix               = "uploads/"
  exports                     = { prefix = "exports/", expiration_days = 3 }
  site_origins                = ["https://photos.example.com"]
  cloudfront_distribution_arn = "arn:aws:cloudfront::111122223333:distribution/E2TEST"
  uploads_cors = {
    allowed_methods = ["POST"]
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
  table = {
    name                     = "pv-test-photos"
    hash_key                 = "pk"
    range_key                = "sk"
    attributes               = { pk = "S", sk = "S" }
    global_secondary_indexes = []
    ttl_attribute            = "expires_at"
    stream_view_type         = "NEW_AND_OLD_IMAGES"
  }
  vectors = {
    bucket_role     = "vectors"
    index_prefix    = "photos"
    data_type       = "float32"
    distance_metric = "cosine"
    dimension       = 1024
  }
}

run "buckets_are_private_and_encrypted_with_the_key" {
  command = plan

  module {
    source = "./modules/storage"
  }

  assert {
    condition = alltrue([
      for block in concat(values(aws_s3_bucket_public_access_block.this), [aws_s3_bucket_public_access_block.logs]) :
      block.block_public_acls && block.block_public_policy && block.ignore_public_acls && block.restrict_public_buckets
    ]) && length(aws_s3_bucket_public_access_block.this) == 3
    error_message = "Every bucket (originals, derivatives, web, logs) must block public ACLs and public policies."
  }

  assert {
    condition = alltrue([
      for config in values(aws_s3_bucket_ownership_controls.this) : one(config.rule).object_ownership == "BucketOwnerEnforced"
    ]) && one(aws_s3_bucket_ownership_controls.logs.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (BucketOwnerEnforced) on every bucket."
  }

  assert {
    condition = alltrue([
      for config in values(aws_s3_bucket_server_side_encryption_configuration.this) :
      one(one(config.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" &&
      one(one(config.rule).apply_server_side_encryption_by_default).kms_master_key_id == aws_kms_key.this.arn
    ])
    error_message = "The data buckets must be SSE-KMS with the environment's key."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.logs.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "The logs bucket must use SSE-S3: the only default encryption S3 access-log delivery supports."
  }

  assert {
    condition = (
      aws_kms_key.this.enable_key_rotation &&
      aws_dynamodb_table.this.server_side_encryption[0].kms_key_arn == aws_kms_key.this.arn &&
      aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    )
    error_message = "The key rotates and also encrypts the table (on-demand)."
  }

  assert {
    condition     = !aws_dynamodb_table.this.deletion_protection_enabled && alltrue([for bucket in values(aws_s3_bucket.this) : !bucket.force_destroy]) && !aws_s3_bucket.logs.force_destroy
    error_message = "By default nothing may be force-destroyed and the table is unprotected (the module's defaults)."
  }
}

run "prod_like_protection" {
  command = plan

  module {
    source = "./modules/storage"
  }

  variables {
    deletion_protection = true
    force_destroy       = false
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled && aws_dynamodb_table.this.point_in_time_recovery[0].enabled
    error_message = "With deletion_protection the table cannot be deleted and keeps point-in-time recovery."
  }

  assert {
    condition     = aws_kms_key.this.deletion_window_in_days == 30
    error_message = "With deletion_protection the key gets the longest deletion window."
  }
}

run "teardown_outside_prod" {
  command = plan

  module {
    source = "./modules/storage"
  }

  variables {
    force_destroy = true
  }

  assert {
    condition     = alltrue([for bucket in values(aws_s3_bucket.this) : bucket.force_destroy]) && aws_s3_bucket.logs.force_destroy
    error_message = "force_destroy must reach every bucket, the logs bucket too (it always holds objects)."
  }
}

run "key_policy_limits_each_service_to_its_path" {
  command = plan

  module {
    source = "./modules/storage"
  }

  assert {
    condition = toset(flatten([
      for statement in data.aws_iam_policy_document.kms.statement : [
        for condition in statement.condition : "${condition.test} ${condition.variable} ${join(",", distinct(condition.values))}"
      ] if statement.sid == "S3EventNotificationsToEncryptedQueue"
      ])) == toset([
      "StringEquals aws:SourceAccount 111122223333",
      "ArnEquals aws:SourceArn arn:aws:s3:::pv-test-originals",
      "StringEquals kms:ViaService sqs.eu-west-1.amazonaws.com",
      "ArnLike kms:EncryptionContext:aws:sqs:arn arn:aws:sqs:eu-west-1:111122223333:pv-test-*",
    ])
    error_message = "S3 may use the key only through SQS, for this environment's queues, on behalf of the originals bucket of this account."
  }

  assert {
    condition = toset(flatten([
      for statement in data.aws_iam_policy_document.kms.statement : [
        for condition in statement.condition : "${condition.test} ${condition.variable} ${join(",", distinct(condition.values))}"
      ] if statement.sid == "CloudWatchAlarmsToEncryptedTopic"
      ])) == toset([
      "StringEquals aws:SourceAccount 111122223333",
      "ArnLike aws:SourceArn arn:aws:cloudwatch:eu-west-1:111122223333:alarm:pv-test-*",
      "StringEquals kms:ViaService sns.eu-west-1.amazonaws.com",
      "ArnLike kms:EncryptionContext:aws:sns:topicArn arn:aws:sns:eu-west-1:111122223333:pv-test-*",
    ])
    error_message = "CloudWatch may use the key only through SNS, for this environment's topics, on behalf of this environment's alarms."
  }

  assert {
    condition = toset(flatten([
      for statement in data.aws_iam_policy_document.kms.statement : [
        for condition in statement.condition : "${condition.test} ${condition.variable} ${join(",", distinct(condition.values))}"
      ] if statement.sid == "CloudFrontOriginAccessControl"
      ])) == toset([
      "StringEquals aws:SourceArn ${var.cloudfront_distribution_arn}",
      "StringEquals kms:ViaService s3.eu-west-1.amazonaws.com",
      "ArnLike kms:EncryptionContext:aws:s3:arn arn:aws:s3:::pv-test-derivatives,arn:aws:s3:::pv-test-derivatives/*,arn:aws:s3:::pv-test-web,arn:aws:s3:::pv-test-web/*",
    ])
    error_message = "CloudFront may decrypt only through S3, objects of the buckets it serves (web, derivatives), for this distribution."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.kms.statement :
      length(statement.condition) > 0 if one(statement.principals).type == "Service"
    ])
    error_message = "Every AWS service in the key policy is limited by conditions."
  }
}

run "buckets_refuse_weak_transport_and_other_encryption" {
  command = plan

  module {
    source = "./modules/storage"
  }

  assert {
    condition = alltrue([
      for role, document in data.aws_iam_policy_document.bucket : toset([
        for statement in document.statement : statement.sid if statement.effect == "Deny" && one(statement.principals).identifiers == toset(["*"])
      ]) == toset(["DenyInsecureTransport", "DenyOutdatedTls", "DenyOtherEncryption", "DenyOtherKmsKey", "DenyCustomerProvidedKeys"])
    ]) && length(data.aws_iam_policy_document.bucket) == 3
    error_message = "Every data bucket denies plain HTTP, TLS below 1.2, and writes asking for SSE-S3, another KMS key or a customer-provided key."
  }

  assert {
    condition = alltrue(flatten([
      for role, document in data.aws_iam_policy_document.bucket : [
        for statement in document.statement : (
          statement.actions == toset(["s3:*"]) ? statement.resources == toset([aws_s3_bucket.this[role].arn, "${aws_s3_bucket.this[role].arn}/*"]) :
          statement.resources == toset(["${aws_s3_bucket.this[role].arn}/*"])
        ) if statement.effect == "Deny"
      ]
    ]))
    error_message = "Transport denials cover the bucket and its objects; encryption denials cover object writes."
  }

  assert {
    condition = alltrue([
      for document in values(data.aws_iam_policy_document.bucket) : toset(flatten([
        for statement in document.statement : [for condition in statement.condition : "${condition.test} ${condition.variable} ${join(",", condition.values)}"]
        if statement.sid == "DenyOtherKmsKey"
      ])) == toset(["StringNotEqualsIfExists s3:x-amz-server-side-encryption-aws-kms-key-id ${aws_kms_key.this.arn}"])
    ])
    error_message = "A write naming a KMS key must name the environment's key (one naming none gets it by default encryption)."
  }

  assert {
    condition = (
      one(aws_s3_bucket_cors_configuration.originals.cors_rule).allowed_origins == toset(var.site_origins) &&
      one(aws_s3_bucket_cors_configuration.originals.cors_rule).allowed_methods == toset(["POST"]) &&
      !contains(one(aws_s3_bucket_cors_configuration.originals.cors_rule).allowed_origins, "*")
    )
    error_message = "Browsers may POST uploads to the originals bucket from the site's origin only."
  }
}

run "vector_bucket_and_index_for_search_by_meaning" {
  command = plan

  module {
    source = "./modules/storage"
  }

  assert {
    condition = (
      aws_s3vectors_vector_bucket.this.vector_bucket_name == "pv-test-vectors" &&
      one(aws_s3vectors_vector_bucket.this.encryption_configuration).sse_type == "aws:kms" &&
      one(aws_s3vectors_vector_bucket.this.encryption_configuration).kms_key_arn == aws_kms_key.this.arn &&
      !aws_s3vectors_vector_bucket.this.force_destroy
    )
    error_message = "The vector bucket is SSE-KMS with the environment's key and, by default, cannot be force-destroyed."
  }

  assert {
    condition = (
      aws_s3vectors_index.photos.index_name == "photos-1024" &&
      aws_s3vectors_index.photos.vector_bucket_name == "pv-test-vectors" &&
      aws_s3vectors_index.photos.dimension == 1024 &&
      aws_s3vectors_index.photos.distance_metric == "cosine" &&
      aws_s3vectors_index.photos.data_type == "float32"
    )
    error_message = "One cosine index of the embedding model's float32 vectors, named after its dimension (a new model means a new index)."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.kms.statement :
      one(statement.principals).identifiers == toset(["indexing.s3vectors.amazonaws.com"]) &&
      statement.actions == toset(["kms:Decrypt"]) &&
      toset([for condition in statement.condition : "${condition.test} ${condition.variable} ${join(",", condition.values)}"]) == toset([
        "StringEquals aws:SourceAccount 111122223333",
        "ArnLike aws:SourceArn arn:aws:s3vectors:eu-west-1:111122223333:bucket/pv-test-vectors,arn:aws:s3vectors:eu-west-1:111122223333:bucket/pv-test-vectors/*",
      ])
    ])
    error_message = "S3 Vectors' background indexing may decrypt with the key, only for this account's vector bucket."
  }
}

run "a_vector_index_the_service_cannot_hold_is_refused" {
  command = plan

  module {
    source = "./modules/storage"
  }

  variables {
    vectors = {
      bucket_role     = "vectors"
      index_prefix    = "photos"
      data_type       = "float32"
      distance_metric = "dot"
      dimension       = 8192
    }
  }

  expect_failures = [var.vectors]
}

run "exports_expire_and_nothing_else_does" {
  command = plan

  module {
    source = "./modules/storage"
  }

  assert {
    condition = one([
      for rule in aws_s3_bucket_lifecycle_configuration.this["originals"].rule : rule if rule.id == "expire-exports"
      ]).filter[0].prefix == "exports/" && one([
      for rule in aws_s3_bucket_lifecycle_configuration.this["originals"].rule : rule if rule.id == "expire-exports"
    ]).expiration[0].days == 3
    error_message = "Job files under exports/ of the originals bucket expire after exports.expiration_days."
  }

  assert {
    condition = (
      toset([for rule in aws_s3_bucket_lifecycle_configuration.this["originals"].rule : rule.id]) == toset(["abort-incomplete-multipart", "expire-noncurrent-versions", "expire-exports", "originals-intelligent-tiering"]) &&
      toset([for rule in aws_s3_bucket_lifecycle_configuration.this["derivatives"].rule : rule.id]) == toset(["abort-incomplete-multipart", "expire-noncurrent-versions"])
    )
    error_message = "Only exports/ gets an expiration of current objects: originals and derivatives are kept."
  }
}

run "exports_prefix_must_be_a_folder" {
  command = plan

  module {
    source = "./modules/storage"
  }

  variables {
    exports = { prefix = "", expiration_days = 3 }
  }

  expect_failures = [var.exports]
}
