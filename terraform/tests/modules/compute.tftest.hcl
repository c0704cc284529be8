# The compute module on its own: the intake queue S3 notifies and the forwarder that groups each upload by owner into
# the ingest queue (an SQS fair queue), the queues' DLQs and the worker's event source; the functions in the given
# private subnets; least-privilege policies.

mock_provider "aws" {}

override_resource {
  target          = aws_sqs_queue.dlq
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:111122223333:pv-test-ingest-dlq", id = "https://sqs.eu-west-1.amazonaws.com/111122223333/pv-test-ingest-dlq" }
}

override_resource {
  target          = aws_sqs_queue.ingest
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:111122223333:pv-test-ingest", id = "https://sqs.eu-west-1.amazonaws.com/111122223333/pv-test-ingest" }
}

override_resource {
  target          = aws_sqs_queue.intake
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:111122223333:pv-test-intake", id = "https://sqs.eu-west-1.amazonaws.com/111122223333/pv-test-intake" }
}

override_resource {
  target          = aws_sqs_queue.intake_dlq
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:111122223333:pv-test-intake-dlq", id = "https://sqs.eu-west-1.amazonaws.com/111122223333/pv-test-intake-dlq" }
}

override_resource {
  target          = aws_sqs_queue.jobs
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:111122223333:pv-test-jobs", id = "https://sqs.eu-west-1.amazonaws.com/111122223333/pv-test-jobs", name = "pv-test-jobs" }
}

override_resource {
  target          = aws_sqs_queue.jobs_dlq
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:111122223333:pv-test-jobs-dlq", id = "https://sqs.eu-west-1.amazonaws.com/111122223333/pv-test-jobs-dlq" }
}

override_resource {
  target          = aws_location_place_index.this
  override_during = plan
  values          = { index_arn = "arn:aws:geo:eu-west-1:111122223333:place-index/pv-test-places" }
}

override_resource {
  target          = aws_sqs_queue.purge_failures
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:111122223333:pv-test-purge-failures" }
}

# Known ARNs, so the policies' resource lists are known during the plan.
override_resource {
  target          = aws_sns_topic.events
  override_during = plan
  values          = { arn = "arn:aws:sns:eu-west-1:111122223333:pv-test-photo-events" }
}

override_resource {
  target          = aws_cloudwatch_log_group.this
  override_during = plan
  values          = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/pv-test" }
}

variables {
  name_prefix = "pv-test"
  environment = "dev"
  # Any existing file stands in for the zips `make build` writes (only its hash is read).
  functions = {
    api       = { handler = "photovault.handlers.api.handler", memory_size = 512, timeout = 15, table_indexes = ["gsi2", "gsi3", "gsi4"], zip_path = "resources.json" }
    worker    = { handler = "photovault.handlers.worker.handler", memory_size = 2048, timeout = 120, table_indexes = ["gsi1"], zip_path = "resources.json" }
    forwarder = { handler = "photovault.handlers.forwarder.handler", memory_size = 256, timeout = 30, table_indexes = [], zip_path = "resources.json" }
    purge     = { handler = "photovault.handlers.purge.handler", memory_size = 512, timeout = 60, table_indexes = [], zip_path = "resources.json" }
    jobs      = { handler = "photovault.handlers.jobs.handler", memory_size = 1024, timeout = 300, table_indexes = [], zip_path = "resources.json" }
  }
  reserved_concurrency       = { api = 10, worker = 5, forwarder = 5, purge = 2, jobs = 2 }
  worker_maximum_concurrency = 2
  ingest = {
    queue_role                      = "ingest"
    dlq_role                        = "ingest-dlq"
    intake_queue_role               = "intake"
    intake_dlq_role                 = "intake-dlq"
    upload_prefix                   = "uploads/"
    s3_events                       = ["s3:ObjectCreated:*"]
    max_receive_count               = 5
    batch_size                      = 10
    maximum_batching_window_seconds = 0
    visibility_timeout_multiplier   = 6
    message_retention_seconds       = 345600
    dlq_message_retention_seconds   = 1209600
    pending_check_minutes           = 5
  }
  events_topic_role  = "photo-events"
  kms_key_arn        = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001"
  bucket_names       = { originals = "pv-test-originals", derivatives = "pv-test-derivatives" }
  bucket_arns        = { originals = "arn:aws:s3:::pv-test-originals", derivatives = "arn:aws:s3:::pv-test-derivatives" }
  table_name         = "pv-test-photos"
  table_arn          = "arn:aws:dynamodb:eu-west-1:111122223333:table/pv-test-photos"
  subnet_ids         = ["subnet-private-a", "subnet-private-b"]
  security_group_ids = ["sg-lambda"]
  bedrock_model_id   = "anthropic.claude-3-haiku-20240307-v1:0"
  upload_quota       = { uploads_per_hour = 200, pending_uploads = 50, bytes = 21474836480 }
  embedding = {
    model_id         = "amazon.titan-embed-image-v1"
    dimension        = 1024
    vector_bucket    = "pv-test-vectors"
    vector_index     = "photos-1024"
    vector_index_arn = "arn:aws:s3vectors:eu-west-1:111122223333:bucket/pv-test-vectors/index/photos-1024"
  }
  purge = {
    failure_queue_role                = "purge-failures"
    starting_position                 = "TRIM_HORIZON"
    batch_size                        = 10
    maximum_batching_window_seconds   = 5
    maximum_retry_attempts            = 10
    maximum_record_age_seconds        = 86400
    bisect_batch_on_function_error    = true
    parallelization_factor            = 1
    failure_message_retention_seconds = 1209600
    filter_patterns = [jsonencode({
      eventName = ["REMOVE"]
      dynamodb = {
        Keys     = { pk = { S = [{ prefix = "USER#" }] }, sk = { S = [{ prefix = "PHOTO#" }] } }
        OldImage = { status = { S = [{ exists = true }] } }
      }
    })]
  }
  jobs = {
    queue_role                    = "jobs"
    dlq_role                      = "jobs-dlq"
    max_receive_count             = 5
    batch_size                    = 1
    visibility_timeout_multiplier = 6
    message_retention_seconds     = 345600
    dlq_message_retention_seconds = 1209600
  }
  exports                    = { prefix = "exports/", expiration_days = 3 }
  table_stream_arn           = "arn:aws:dynamodb:eu-west-1:111122223333:table/pv-test-photos/stream/2026-01-01T00:00:00.000"
  media_base_url             = "https://photos.example.com"
  cloudfront_key_pair_id     = "K2TESTKEYPAIR"
  signing_key_parameter_name = "/pv-test/cloudfront/signing-key"
  signing_key_parameter_arn  = "arn:aws:ssm:eu-west-1:111122223333:parameter/pv-test/cloudfront/signing-key"
  origin_verify_parameter = {
    name = "/pv-test/api/origin-verify"
    arn  = "arn:aws:ssm:eu-west-1:111122223333:parameter/pv-test/api/origin-verify"
  }
  user_pool = {
    id  = "eu-west-1_TESTPOOL"
    arn = "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_TESTPOOL"
  }
}

run "ingest_queue_dlq_and_worker" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = jsondecode(aws_sqs_queue.ingest.redrive_policy) == {
      deadLetterTargetArn = aws_sqs_queue.dlq.arn
      maxReceiveCount     = 5
    }
    error_message = "The ingest queue must park a message in its DLQ after max_receive_count receives."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.dlq.redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.ingest.arn]
    error_message = "Only the ingest queue may redrive into (and out of) the DLQ."
  }

  assert {
    condition     = aws_sqs_queue.ingest.visibility_timeout_seconds == 6 * aws_lambda_function.this["worker"].timeout
    error_message = "A message must stay invisible for 6 worker timeouts, so a second worker never takes it while the first runs."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.worker.event_source_arn == aws_sqs_queue.ingest.arn &&
      aws_lambda_event_source_mapping.worker.function_response_types == toset(["ReportBatchItemFailures"]) &&
      aws_lambda_event_source_mapping.worker.batch_size == 10 &&
      one(aws_lambda_event_source_mapping.worker.scaling_config).maximum_concurrency == 2
    )
    error_message = "The worker reads the ingest queue in batches of 10, reports partial failures and is capped at worker_maximum_concurrency."
  }

  assert {
    condition     = aws_sqs_queue.ingest.kms_master_key_id == var.kms_key_arn && aws_sqs_queue.dlq.kms_master_key_id == var.kms_key_arn && aws_sns_topic.events.kms_master_key_id == var.kms_key_arn
    error_message = "Queues and the events topic are encrypted with the environment's key."
  }

  assert {
    condition = alltrue([
      for function in values(aws_lambda_function.this) :
      toset(one(function.vpc_config).subnet_ids) == toset(var.subnet_ids) && toset(one(function.vpc_config).security_group_ids) == toset(["sg-lambda"])
    ])
    error_message = "Both functions must run in the given private subnets with the given security group."
  }

  assert {
    condition = alltrue([
      for function in values(aws_lambda_function.this) : one(function.tracing_config).mode == "Active" && function.kms_key_arn == var.kms_key_arn
    ])
    error_message = "Both functions trace to X-Ray and encrypt their environment with the environment's key."
  }

  assert {
    condition = length([
      for action in flatten([for statement in data.aws_iam_policy_document.worker.statement : tolist(statement.actions)]) : action
      if contains(["dynamodb:Scan", "dynamodb:*", "s3:*", "*"], action)
    ]) == 0
    error_message = "The worker's policy must not allow Scan or any service-wide wildcard."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.worker.statement :
      alltrue([for action in statement.actions : startswith(action, "xray:") || startswith(action, "rekognition:Detect")])
      if contains(statement.resources, "*")
    ])
    error_message = "Resource \"*\" only for X-Ray and Rekognition Detect* (no resource-level permissions exist for them)."
  }

  assert {
    condition     = !contains(flatten([for statement in data.aws_iam_policy_document.api.statement : tolist(statement.actions)]), "dynamodb:Scan")
    error_message = "The api's policy must not allow Scan: every user path is a Query."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.api.statement :
      alltrue([for action in statement.actions : startswith(action, "xray:")]) if contains(statement.resources, "*")
    ])
    error_message = "The api's only Resource \"*\" is X-Ray's (no resource-level permissions)."
  }

  assert {
    condition = toset(flatten([
      for statement in data.aws_iam_policy_document.worker.statement : tolist(statement.resources)
      if contains(statement.actions, "s3:DeleteObjectVersion")
    ])) == toset(["arn:aws:s3:::pv-test-originals/uploads/*", "arn:aws:s3:::pv-test-derivatives/media/*"])
    error_message = "The worker deletes object versions only of uploads whose photo record is gone (the originals' uploads/) and of derivatives no photo points at any more (the derivatives' media/)."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.worker.statement :
      alltrue([for resource in statement.resources : endswith(resource, "/uploads/*") || endswith(resource, "/media/*")])
      if contains(statement.actions, "s3:DeleteObject")
    ])
    error_message = "The worker deletes objects only under uploads/ (unclaimed uploads) and media/ (its own derivatives)."
  }

  assert {
    condition = (
      aws_scheduler_schedule.pending_check.schedule_expression == "rate(5 minutes)" &&
      one(aws_scheduler_schedule.pending_check.target).arn == aws_sqs_queue.ingest.arn &&
      jsondecode(one(aws_scheduler_schedule.pending_check.target).input) == { PhotoVault = "pending-check" } &&
      aws_scheduler_schedule.pending_check.kms_key_arn == var.kms_key_arn
    )
    error_message = "Every pending_check_minutes the schedule puts the worker's pending check on the ingest queue (encrypted with the environment's key)."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.scheduler.statement : tolist(statement.actions)])) == toset(["sqs:SendMessage", "kms:GenerateDataKey", "kms:Decrypt"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.scheduler.statement : tolist(statement.resources)])) == toset([aws_sqs_queue.ingest.arn, var.kms_key_arn])
    )
    error_message = "The schedule's role may only send to the ingest queue (and use its key)."
  }
}

run "table_access_by_index" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.api.statement : tolist(statement.resources) if anytrue([for action in statement.actions : startswith(action, "dynamodb:")])])) == toset([var.table_arn]) &&
      toset(keys(data.aws_iam_policy_document.query_indexes)) == toset(["api", "worker"]) &&
      toset(one(data.aws_iam_policy_document.query_indexes["api"].statement).actions) == toset(["dynamodb:Query"]) &&
      toset(one(data.aws_iam_policy_document.query_indexes["api"].statement).resources) == toset(["${var.table_arn}/index/gsi2", "${var.table_arn}/index/gsi3", "${var.table_arn}/index/gsi4"]) &&
      join(",", data.aws_iam_policy_document.api.source_policy_documents) == data.aws_iam_policy_document.query_indexes["api"].json
    )
    error_message = "The api may use the table and Query gsi2 (shares by owner), gsi3 and gsi4 (library views, albums), and no other index: not gsi1, every user's photos by status, and no index wildcard."
  }

  assert {
    condition = !anytrue(flatten([
      for document in [data.aws_iam_policy_document.api, data.aws_iam_policy_document.worker] : [
        for statement in document.statement : anytrue([for resource in statement.resources : strcontains(resource, ":table/") && strcontains(resource, "/index/")])
      ]
    ]))
    error_message = "No write (or any action but the Query grants of query_indexes) is granted on a table index ARN."
  }

  assert {
    condition = (
      toset(one(data.aws_iam_policy_document.query_indexes["worker"].statement).resources) == toset(["${var.table_arn}/index/gsi1"]) &&
      join(",", data.aws_iam_policy_document.worker.source_policy_documents) == data.aws_iam_policy_document.query_indexes["worker"].json
    )
    error_message = "The worker queries only gsi1 (the schedule's pending check of every user's PENDING uploads)."
  }
}

run "api_verifies_the_origin_secret" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition     = aws_lambda_function.this["api"].environment[0].variables["ORIGIN_VERIFY_PARAMETER"] == "/pv-test/api/origin-verify"
    error_message = "The api function is told where the origin secret lives (ORIGIN_VERIFY_PARAMETER)."
  }

  assert {
    condition = (
      one([for statement in data.aws_iam_policy_document.api.statement : statement if contains(statement.actions, "ssm:GetParameter")]).resources ==
      toset([var.signing_key_parameter_arn, var.origin_verify_parameter.arn]) &&
      !anytrue([for statement in data.aws_iam_policy_document.worker.statement : contains(statement.actions, "ssm:GetParameter")])
    )
    error_message = "Only the api may read parameters, and only the signing key and the origin secret."
  }
}

run "search_by_meaning_least_privilege" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = alltrue([
      for name in ["api", "worker"] : (
        aws_lambda_function.this[name].environment[0].variables["VECTOR_BUCKET"] == "pv-test-vectors" &&
        aws_lambda_function.this[name].environment[0].variables["VECTOR_INDEX"] == "photos-1024" &&
        aws_lambda_function.this[name].environment[0].variables["EMBEDDING_MODEL_ID"] == "amazon.titan-embed-image-v1" &&
        aws_lambda_function.this[name].environment[0].variables["EMBEDDING_DIMENSION"] == "1024"
      )
    ])
    error_message = "Both functions are told the embedding model, its dimension and the vector index (Settings reads exactly these names)."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.worker.statement : tolist(statement.actions) if anytrue([for action in statement.actions : startswith(action, "s3vectors:")])])) ==
      toset(["s3vectors:PutVectors", "s3vectors:DeleteVectors"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.worker.statement : tolist(statement.resources) if anytrue([for action in statement.actions : startswith(action, "s3vectors:")])])) ==
      toset([var.embedding.vector_index_arn])
    )
    error_message = "The worker writes and deletes vectors on the photos' index only, and reads none."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.api.statement : tolist(statement.actions) if anytrue([for action in statement.actions : startswith(action, "s3vectors:")])])) ==
      toset(["s3vectors:QueryVectors", "s3vectors:GetVectors", "s3vectors:DeleteVectors"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.api.statement : tolist(statement.resources) if anytrue([for action in statement.actions : startswith(action, "s3vectors:")])])) ==
      toset([var.embedding.vector_index_arn])
    )
    error_message = "The api queries (QueryVectors with a filter needs GetVectors too) and deletes vectors on the photos' index only; it never writes one."
  }

  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.api, data.aws_iam_policy_document.worker] : anytrue(flatten([
        for statement in document.statement : [for resource in statement.resources : endswith(resource, "foundation-model/amazon.titan-embed-image-v1")]
        if contains(statement.actions, "bedrock:InvokeModel")
      ]))
      ]) && !anytrue(flatten([
        for statement in data.aws_iam_policy_document.api.statement : [for resource in statement.resources : endswith(resource, "foundation-model/anthropic.claude-3-haiku-20240307-v1:0")]
        if contains(statement.actions, "bedrock:InvokeModel")
    ]))
    error_message = "Both functions may invoke the embedding model (photos, query text); only the worker the caption model."
  }
}

run "places_least_privilege" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = (
      aws_location_place_index.this.index_name == "pv-test-places" &&
      one(aws_location_place_index.this.data_source_configuration).intended_use == "Storage" &&
      aws_lambda_function.this["worker"].environment[0].variables["PLACE_INDEX"] == "pv-test-places"
    )
    error_message = "The worker is told its environment's place index, whose intended use lets it keep the names (Storage)."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.worker.statement : tolist(statement.actions) if anytrue([for action in statement.actions : startswith(action, "geo:")])])) ==
      toset(["geo:SearchPlaceIndexForPosition"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.worker.statement : tolist(statement.resources) if anytrue([for action in statement.actions : startswith(action, "geo:")])])) ==
      toset(["arn:aws:geo:eu-west-1:111122223333:place-index/pv-test-places"])
    )
    error_message = "The worker may only reverse-geocode, and only on its environment's place index."
  }

  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.api, data.aws_iam_policy_document.purge, data.aws_iam_policy_document.jobs, data.aws_iam_policy_document.runtime] : !anytrue([
        for statement in try(document.statement, []) : anytrue([for action in coalesce(statement.actions, []) : startswith(action, "geo:")])
      ])
    ])
    error_message = "No other function may call Amazon Location."
  }
}

run "purge_reads_only_photo_removals_from_the_stream" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.purge.event_source_arn == var.table_stream_arn &&
      aws_lambda_event_source_mapping.purge.starting_position == "TRIM_HORIZON" &&
      aws_lambda_event_source_mapping.purge.function_response_types == toset(["ReportBatchItemFailures"]) &&
      aws_lambda_event_source_mapping.purge.bisect_batch_on_function_error &&
      aws_lambda_event_source_mapping.purge.maximum_retry_attempts == 10 &&
      one(one(aws_lambda_event_source_mapping.purge.destination_config).on_failure).destination_arn == aws_sqs_queue.purge_failures.arn
    )
    error_message = "The purge reads the table's stream with partial batch failures, bisection, bounded retries and an on-failure queue."
  }

  assert {
    condition = [
      for filter in one(aws_lambda_event_source_mapping.purge.filter_criteria).filter : jsondecode(filter.pattern)
      ] == [{
        eventName = ["REMOVE"]
        dynamodb = {
          Keys     = { pk = { S = [{ prefix = "USER#" }] }, sk = { S = [{ prefix = "PHOTO#" }] } }
          OldImage = { status = { S = [{ exists = true }] } }
        }
    }]
    error_message = "Only REMOVEs of photo items pass the filter (term items share PHOTO# but carry no status)."
  }

  assert {
    condition     = aws_sqs_queue.purge_failures.kms_master_key_id == var.kms_key_arn
    error_message = "The failure queue is encrypted with the environment's key."
  }

  assert {
    condition = length([
      for action in flatten([for statement in data.aws_iam_policy_document.purge.statement : tolist(statement.actions)]) : action
      if contains(["dynamodb:Scan", "dynamodb:GetItem", "dynamodb:*", "s3:*", "s3:PutObject", "s3:GetObject", "*"], action)
    ]) == 0
    error_message = "The purge may delete and find, nothing else: no Scan, no reads of items or objects."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.purge.statement :
      anytrue([for action in statement.actions : contains(["dynamodb:PutItem", "dynamodb:UpdateItem"], action)]) ? (
        toset(statement.resources) == toset([var.table_arn]) &&
        one(statement.condition).test == "ForAllValues:StringLike" &&
        one(statement.condition).variable == "dynamodb:LeadingKeys" &&
        toset(one(statement.condition).values) == toset(["USER#*#QUOTA"])
      ) : true
    ])
    error_message = "The purge writes (but deletes) only the owners' quota partitions: giving a purged photo's bytes back."
  }

  assert {
    condition = alltrue(flatten([
      for statement in data.aws_iam_policy_document.purge.statement : [
        for resource in statement.resources :
        resource == "*" ? alltrue([for action in statement.actions : startswith(action, "xray:")]) : true
      ]
    ]))
    error_message = "The purge's only Resource \"*\" is X-Ray's."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.purge.statement : tolist(statement.actions) if anytrue([for action in statement.actions : startswith(action, "s3vectors:")])])) == toset(["s3vectors:DeleteVectors"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.purge.statement : tolist(statement.resources) if anytrue([for action in statement.actions : startswith(action, "s3vectors:")])])) == toset([var.embedding.vector_index_arn]) &&
      aws_lambda_function.this["purge"].environment[0].variables["VECTOR_INDEX"] == "photos-1024"
    )
    error_message = "The purge deletes the photo's vector (the photos' index only) and reads none."
  }

  assert {
    condition = (
      one([for statement in data.aws_iam_policy_document.purge.statement : statement.resources if contains(statement.actions, "dynamodb:GetRecords")]) == toset([var.table_stream_arn]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.purge.statement : tolist(statement.resources) if contains(statement.actions, "dynamodb:Query")])) == toset(["${var.table_arn}/index/gsi2", var.table_arn]) &&
      one([for statement in data.aws_iam_policy_document.purge.statement : statement.resources if contains(statement.actions, "s3:DeleteObjectVersion")]) == toset([
        "${var.bucket_arns["originals"]}/uploads/*", "${var.bucket_arns["derivatives"]}/media/*",
      ]) &&
      one([for statement in data.aws_iam_policy_document.purge.statement : statement.resources if contains(statement.actions, "sqs:SendMessage")]) == toset([aws_sqs_queue.purge_failures.arn])
    )
    error_message = "The purge reads only this table's stream, queries only gsi2 (shares) and the table (a photo's faces by key range), deletes only uploads/ and media/ objects and sends only to its failure queue."
  }

  assert {
    condition = (
      # (the documents' JSON is only known after apply: their number is what a plan can check)
      length(data.aws_iam_policy_document.purge.source_policy_documents) == 2 &&
      length(data.aws_iam_policy_document.jobs.source_policy_documents) == 2 &&
      !anytrue([for statement in concat(data.aws_iam_policy_document.purge.statement, data.aws_iam_policy_document.jobs.statement) : anytrue([for action in statement.actions : startswith(action, "kms:")])])
    )
    error_message = "The purge and the jobs function get logs, traces and the key only from the shared documents."
  }

  assert {
    condition = (
      one(one(data.aws_iam_policy_document.key_through_services.statement).condition).variable == "kms:ViaService" &&
      toset([for value in one(one(data.aws_iam_policy_document.key_through_services.statement).condition).values : split(".", value)[0]]) == toset(["dynamodb", "s3", "sqs"]) &&
      alltrue([for statement in data.aws_iam_policy_document.runtime["purge"].statement : contains(statement.resources, "*") ? alltrue([for action in statement.actions : startswith(action, "xray:")]) : true])
    )
    error_message = "The key is used only through DynamoDB, S3 and SQS (kms:ViaService); Resource \"*\" only for X-Ray."
  }

  assert {
    condition     = aws_lambda_function.this["purge"].handler == "photovault.handlers.purge.handler" && aws_iam_role.this["purge"].name == "pv-test-purge" && aws_iam_role_policy.this["purge"].name == "pv-test-purge"
    error_message = "The purge runs its own handler under its own role and policy."
  }
}

run "jobs_queue_function_and_role" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = (
      aws_sqs_queue.jobs.visibility_timeout_seconds == 6 * aws_lambda_function.this["jobs"].timeout &&
      jsondecode(aws_sqs_queue.jobs.redrive_policy) == { deadLetterTargetArn = aws_sqs_queue.jobs_dlq.arn, maxReceiveCount = 5 } &&
      aws_sqs_queue.jobs.kms_master_key_id == var.kms_key_arn && aws_sqs_queue.jobs_dlq.kms_master_key_id == var.kms_key_arn
    )
    error_message = "The jobs queue hides a message for 6 jobs timeouts, parks it in its encrypted DLQ after 5 receives."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.jobs.event_source_arn == aws_sqs_queue.jobs.arn &&
      aws_lambda_event_source_mapping.jobs.batch_size == 1 &&
      aws_lambda_event_source_mapping.jobs.function_response_types == toset(["ReportBatchItemFailures"])
    )
    error_message = "The jobs function takes one step (message) per invocation and reports failures per message."
  }

  assert {
    condition     = alltrue([for function in values(aws_lambda_function.this) : function.environment[0].variables["JOBS_QUEUE_URL"] == aws_sqs_queue.jobs.id])
    error_message = "Every function is told the jobs queue (the api queues first steps, the jobs function the next ones)."
  }

  assert {
    condition = length([
      for action in flatten([for statement in data.aws_iam_policy_document.jobs.statement : tolist(statement.actions)]) : action
      if contains(["dynamodb:Scan", "dynamodb:*", "s3:*", "s3:DeleteObject", "cognito-idp:*", "s3vectors:*", "*"], action)
    ]) == 0
    error_message = "The jobs function never scans the table, never uses a wildcard action, and deletes objects only by version."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.jobs.statement : tolist(statement.resources) if contains(statement.actions, "dynamodb:Query")])) == toset([var.table_arn, "${var.table_arn}/index/gsi2"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.jobs.statement : tolist(statement.resources) if contains(statement.actions, "s3:DeleteObjectVersion")])) == toset([
        "${var.bucket_arns["originals"]}/uploads/*", "${var.bucket_arns["originals"]}/exports/*", "${var.bucket_arns["derivatives"]}/media/*",
      ]) &&
      one([for statement in data.aws_iam_policy_document.jobs.statement : statement.resources if contains(statement.actions, "s3vectors:DeleteVectors")]) == toset([var.embedding.vector_index_arn])
    )
    error_message = "Account deletion queries the table by key and gsi2 (shares by owner) only, deletes object versions only under uploads/, exports/ and media/, and vectors only in the photos' index."
  }

  assert {
    condition = (
      one([for statement in data.aws_iam_policy_document.jobs.statement : statement.actions if anytrue([for action in statement.actions : startswith(action, "cognito-idp:")])]) == toset(["cognito-idp:ListUsers", "cognito-idp:AdminDeleteUser"]) &&
      one([for statement in data.aws_iam_policy_document.jobs.statement : statement.resources if contains(statement.actions, "cognito-idp:AdminDeleteUser")]) == toset([var.user_pool.arn]) &&
      aws_lambda_function.this["jobs"].environment[0].variables["USER_POOL_ID"] == var.user_pool.id
    )
    error_message = "The jobs function may find and delete users of its own pool only (ListUsers, AdminDeleteUser; no other Cognito action)."
  }

  assert {
    condition = (
      one([for statement in data.aws_iam_policy_document.jobs.statement : statement.resources if contains(statement.actions, "s3:PutObject")]) == toset(["${var.bucket_arns["originals"]}/exports/*"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.jobs.statement : tolist(statement.resources) if contains(statement.actions, "s3:GetObject")])) == toset([
        "${var.bucket_arns["originals"]}/uploads/*", "${var.bucket_arns["originals"]}/exports/*",
      ]) &&
      one([for statement in data.aws_iam_policy_document.jobs.statement : statement.resources if contains(statement.actions, "sqs:SendMessage")]) == toset([aws_sqs_queue.jobs.arn])
    )
    error_message = "The jobs function writes only exports/, reads only originals and its own exports, and queues only on the jobs queue."
  }

  assert {
    condition = alltrue(flatten([
      for statement in data.aws_iam_policy_document.jobs.statement : [
        for resource in statement.resources :
        resource == "*" ? alltrue([for action in statement.actions : startswith(action, "xray:")]) : true
      ]
    ]))
    error_message = "The jobs function's only Resource \"*\" is X-Ray's."
  }

  assert {
    condition = (
      aws_iam_role_policy.api_jobs.name == "pv-test-api-jobs" &&
      one([for statement in data.aws_iam_policy_document.api_jobs.statement : statement.resources if contains(statement.actions, "sqs:SendMessage")]) == toset([aws_sqs_queue.jobs.arn]) &&
      one([for statement in data.aws_iam_policy_document.api_jobs.statement : statement.resources if contains(statement.actions, "s3:GetObjectVersion")]) == toset(["${var.bucket_arns["originals"]}/exports/*"])
    )
    error_message = "The api may queue jobs and sign links to exports/ only."
  }
}

run "email_notifications_least_privilege" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.api.statement : tolist(statement.actions) if anytrue([for action in statement.actions : startswith(action, "sns:")])])) == toset(["sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.api.statement : tolist(statement.resources) if contains(statement.actions, "sns:Subscribe")])) == toset([aws_sns_topic.events.arn, "${aws_sns_topic.events.arn}:*"])
    )
    error_message = "The api subscribes, unsubscribes and reads subscriptions on the events topic only (the e-mail opt-in), and publishes nothing."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.jobs.statement : tolist(statement.actions) if anytrue([for action in statement.actions : startswith(action, "sns:")])])) == toset(["sns:Publish", "sns:Unsubscribe"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.jobs.statement : tolist(statement.resources) if contains(statement.actions, "sns:Publish")])) == toset([aws_sns_topic.events.arn, "${aws_sns_topic.events.arn}:*"])
    )
    error_message = "The jobs function publishes digests and removes a deleted account's subscription, on the events topic only."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.worker.statement : tolist(statement.resources) if contains(statement.actions, "sqs:SendMessage")])) == toset([aws_sqs_queue.jobs.arn]) &&
      !contains(flatten([for statement in data.aws_iam_policy_document.worker.statement : tolist(statement.actions)]), "sns:Subscribe")
    )
    error_message = "The worker queues digest timers on the jobs queue only, and subscribes nobody."
  }
}

run "people_face_collections_least_privilege" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = alltrue([
      for name in ["api", "worker", "purge"] : aws_lambda_function.this[name].environment[0].variables["FACE_COLLECTION_PREFIX"] == "pv-test-faces"
    ])
    error_message = "The functions name each owner's face collection <name_prefix>-faces-<sub> (Settings reads FACE_COLLECTION_PREFIX)."
  }

  assert {
    condition = alltrue(flatten([
      for document in [data.aws_iam_policy_document.api, data.aws_iam_policy_document.worker, data.aws_iam_policy_document.purge] : [
        for statement in document.statement : [
          for resource in statement.resources : endswith(resource, ":collection/pv-test-faces-*") && startswith(resource, "arn:")
        ]
        if anytrue([for action in statement.actions : startswith(action, "rekognition:") && !startswith(action, "rekognition:Detect")])
      ]
    ]))
    error_message = "Face collection calls are allowed only on this environment's collections (collection/<prefix>-faces-*), never on \"*\"."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.worker.statement : tolist(statement.actions) if anytrue([for action in statement.actions : startswith(action, "rekognition:") && !startswith(action, "rekognition:Detect")])])) ==
      toset(["rekognition:CreateCollection", "rekognition:IndexFaces", "rekognition:SearchFaces", "rekognition:DeleteFaces"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.purge.statement : tolist(statement.actions) if anytrue([for action in statement.actions : startswith(action, "rekognition:")])])) ==
      toset(["rekognition:DeleteFaces"]) &&
      !anytrue([for statement in data.aws_iam_policy_document.api.statement : anytrue([for action in statement.actions : contains(["rekognition:DeleteCollection", "rekognition:ListCollections", "rekognition:ListFaces"], action)])])
    )
    error_message = "The worker indexes, searches and replaces faces in a user's collection; the purge only deletes faces; the api neither lists nor deletes collections."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.jobs.statement : tolist(statement.actions) if anytrue([for action in statement.actions : startswith(action, "rekognition:")])])) == toset(["rekognition:DeleteCollection"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.jobs.statement : tolist(statement.resources) if contains(statement.actions, "rekognition:DeleteCollection")])) == toset([local.face_collections_arn]) &&
      endswith(local.face_collections_arn, ":collection/pv-test-faces-*")
    )
    error_message = "Account deletion (the jobs function) may delete this environment's face collections and do nothing else with Rekognition."
  }
}

run "s3_notifies_the_intake_queue_and_the_forwarder_fills_the_fair_ingest_queue" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = (
      one(aws_s3_bucket_notification.originals.queue).queue_arn == aws_sqs_queue.intake.arn &&
      one(aws_s3_bucket_notification.originals.queue).filter_prefix == "uploads/"
    )
    error_message = "S3 notifies the intake queue (S3 cannot set a MessageGroupId; the forwarder does), never the ingest queue."
  }

  assert {
    condition = (
      toset(one(data.aws_iam_policy_document.intake_queue.statement).actions) == toset(["sqs:SendMessage"]) &&
      toset(one(data.aws_iam_policy_document.intake_queue.statement).resources) == toset([aws_sqs_queue.intake.arn]) &&
      toset(one(one(data.aws_iam_policy_document.intake_queue.statement).principals).identifiers) == toset(["s3.amazonaws.com"]) &&
      toset(flatten([for condition in one(data.aws_iam_policy_document.intake_queue.statement).condition : tolist(condition.values) if condition.variable == "aws:SourceArn"])) == toset([var.bucket_arns["originals"]])
    )
    error_message = "Only the originals bucket may send to the intake queue."
  }

  assert {
    condition = (
      jsondecode(aws_sqs_queue.intake.redrive_policy) == { deadLetterTargetArn = aws_sqs_queue.intake_dlq.arn, maxReceiveCount = 5 } &&
      jsondecode(aws_sqs_queue_redrive_allow_policy.intake_dlq.redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.intake.arn] &&
      aws_sqs_queue.intake.visibility_timeout_seconds == 6 * aws_lambda_function.this["forwarder"].timeout &&
      aws_sqs_queue.intake.kms_master_key_id == var.kms_key_arn && aws_sqs_queue.intake_dlq.kms_master_key_id == var.kms_key_arn
    )
    error_message = "The intake queue is encrypted like the others, hides a message for 6 forwarder timeouts and parks it in its own encrypted DLQ after 5 receives."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.forwarder.event_source_arn == aws_sqs_queue.intake.arn &&
      aws_lambda_event_source_mapping.forwarder.batch_size == 10 &&
      aws_lambda_event_source_mapping.forwarder.function_response_types == toset(["ReportBatchItemFailures"]) &&
      one(aws_lambda_event_source_mapping.forwarder.scaling_config).maximum_concurrency <= aws_lambda_function.this["forwarder"].reserved_concurrent_executions
    )
    error_message = "The forwarder reads the intake queue in batches of 10, reports partial failures, and never has more pollers than it may run (a throttle would spend receive counts)."
  }

  assert {
    condition     = aws_lambda_function.this["forwarder"].environment[0].variables["INGEST_QUEUE_URL"] == aws_sqs_queue.ingest.id
    error_message = "The forwarder is told the ingest queue."
  }

  assert {
    condition = (
      toset(flatten([for statement in data.aws_iam_policy_document.forwarder.statement : tolist(statement.actions) if contains(tolist(statement.resources), aws_sqs_queue.intake.arn)])) ==
      toset(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]) &&
      one([for statement in data.aws_iam_policy_document.forwarder.statement : statement.resources if contains(statement.actions, "sqs:SendMessage")]) == toset([aws_sqs_queue.ingest.arn])
    )
    error_message = "The forwarder reads only the intake queue and sends only to the ingest queue."
  }

  assert {
    condition = length([
      for action in flatten([for statement in data.aws_iam_policy_document.forwarder.statement : tolist(statement.actions)]) : action
      if startswith(action, "s3:") || startswith(action, "dynamodb:") || startswith(action, "rekognition:") || startswith(action, "bedrock:") || action == "*"
    ]) == 0
    error_message = "The forwarder touches neither objects, items nor models: it only moves messages."
  }
}

run "x_ray_sdk_is_opt_in_and_active_tracing_stays_on" {
  command = plan

  module {
    source = "./modules/compute"
  }

  assert {
    condition = alltrue([
      for function in values(aws_lambda_function.this) :
      function.environment[0].variables["XRAY_SDK_TRACING"] == "false" && one(function.tracing_config).mode == "Active"
    ])
    error_message = "By default no function loads the X-Ray SDK (~25 ms of every cold start), while Lambda's active tracing still records every invocation."
  }
}

run "x_ray_sdk_on_for_an_investigation" {
  command = plan

  module {
    source = "./modules/compute"
  }

  variables {
    xray_sdk_tracing = true
  }

  assert {
    condition     = alltrue([for function in values(aws_lambda_function.this) : function.environment[0].variables["XRAY_SDK_TRACING"] == "true"])
    error_message = "xray_sdk_tracing = true turns the SDK's per-call subsegments on in every function."
  }
}
