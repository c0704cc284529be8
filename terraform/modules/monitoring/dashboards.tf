# One dashboard per environment. Widgets are grouped in sections of up to four, each section a header row
# and one row of equal-width graphs, so the layout needs no hand-placed coordinates.

locals {
  # Every custom metric the code emits (photovault.observability.MetricName; a test keeps the two equal).
  # Indexing local.custom with a name not listed here fails the plan, so a typo cannot blank a widget.
  custom_metric_names = [
    "PhotosReceived", "PhotosProcessed", "PhotosRejected", "PhotosQuarantined", "PhotosDuplicate",
    "DuplicateEventsSkipped", "ProcessingLatency", "ProcessingDuration", "RekognitionImages",
    "BedrockInputTokens", "BedrockOutputTokens", "CaptionFallback", "AnalysisThrottled", "UploadsRequested",
    "SharesCreated", "ShareViews", "PhotosFailed", "OldestPendingAge", "EmbeddingImages", "EmbeddingInputTokens",
    "EmbeddingFailed", "PhotosPurged", "PhotosExpired", "PurgedObjects", "PurgeDuration", "JobsSubmitted", "JobSteps",
    "JobsCompleted", "JobsFailed", "JobsGivenUp", "ExportedBytes", "ReplayedUploadsIgnored", "FaceIndexCalls",
    "GeocoderRequests", "GeocodingFailed",
  ]
  custom = { for name in local.custom_metric_names : name => concat([var.metric_namespace, name], local.custom_dimensions) }

  api_dimensions = ["ApiId", var.http_api_id, "Stage", var.http_api_stage]
  zero_axis      = { left = { min = 0 } }

  spend_expression = join(" + ", [
    "FILL(rekognition, 0) * ${var.ai_prices.rekognition_per_image}",
    "FILL(input_tokens, 0) / 1000 * ${var.ai_prices.bedrock_per_1k_input_tokens}",
    "FILL(output_tokens, 0) / 1000 * ${var.ai_prices.bedrock_per_1k_output_tokens}",
    "FILL(embedding_images, 0) * ${var.ai_prices.embedding_per_image}",
    "FILL(embedding_tokens, 0) / 1000 * ${var.ai_prices.embedding_per_1k_input_tokens}",
    "FILL(face_calls, 0) * ${var.ai_prices.rekognition_per_face_call}",
    "FILL(geocoder_requests, 0) / 1000 * ${var.ai_prices.location_per_1k_requests}",
  ])

  sections = [
    {
      title = "Pipeline: uploads to READY"
      widgets = [
        {
          title  = "Uploads and processed photos per minute"
          period = 60
          stat   = "Sum"
          yAxis  = local.zero_axis
          metrics = [
            concat(local.custom["UploadsRequested"], [{ label = "upload URLs issued" }]),
            concat(local.custom["PhotosReceived"], [{ label = "received by worker" }]),
            concat(local.custom["PhotosProcessed"], [{ label = "READY" }]),
          ]
        },
        {
          title   = "Outcomes (READY / REJECTED / QUARANTINED / DUPLICATE / FAILED)"
          period  = 300
          stat    = "Sum"
          stacked = true
          yAxis   = local.zero_axis
          metrics = [
            concat(local.custom["PhotosProcessed"], [{ label = "READY", color = "#2ca02c" }]),
            concat(local.custom["PhotosRejected"], [{ label = "REJECTED", color = "#ff7f0e" }]),
            concat(local.custom["PhotosQuarantined"], [{ label = "QUARANTINED", color = "#d62728" }]),
            concat(local.custom["PhotosDuplicate"], [{ label = "DUPLICATE", color = "#7f7f7f" }]),
            concat(local.custom["PhotosFailed"], [{ label = "FAILED", color = "#8c564b" }]),
            concat(local.custom["DuplicateEventsSkipped"], [{ label = "duplicate deliveries skipped", color = "#bcbd22" }]),
            concat(local.custom["ReplayedUploadsIgnored"], [{ label = "replayed uploads ignored", color = "#17becf" }]),
          ]
        },
        {
          title  = "Processing latency, upload to terminal state (ms)"
          period = 300
          yAxis  = local.zero_axis
          metrics = [
            concat(local.custom["ProcessingLatency"], [{ stat = "p50", label = "p50" }]),
            concat(local.custom["ProcessingLatency"], [{ stat = "p95", label = "p95" }]),
            concat(local.custom["ProcessingLatency"], [{ stat = "p99", label = "p99" }]),
            concat(local.custom["ProcessingDuration"], [{ stat = "p95", label = "worker time per photo p95" }]),
          ]
        },
      ]
    },
    {
      title = "Ingest queue"
      widgets = [
        {
          title  = "Ingest queue depth"
          period = 60
          stat   = "Maximum"
          yAxis  = local.zero_axis
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.ingest_queue_name, { label = "waiting" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", var.ingest_queue_name, { label = "in flight" }],
          ]
        },
        {
          title  = "Age of oldest message and oldest PENDING upload (s)"
          period = 60
          stat   = "Maximum"
          yAxis  = local.zero_axis
          annotations = { horizontal = [
            { label = "queue alarm", value = var.thresholds.queue_oldest_message_age_seconds, color = "#d62728" },
            { label = "PENDING alarm", value = var.thresholds.oldest_pending_age_seconds, color = "#9467bd" },
          ] }
          metrics = [
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.ingest_queue_name, { label = "oldest message age" }],
            concat(local.custom["OldestPendingAge"], [{ label = "oldest PENDING upload seen", color = "#9467bd" }]),
          ]
        },
        {
          title       = "Dead-letter queue depth"
          period      = 60
          stat        = "Maximum"
          yAxis       = local.zero_axis
          annotations = { horizontal = [{ label = "alarm above 0", value = 0, color = "#d62728" }] }
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.ingest_dlq_name, { label = "parked messages" }],
          ]
        },
        {
          title  = "Intake: S3 notifications waiting for the forwarder, its errors"
          period = 60
          stat   = "Maximum"
          yAxis  = local.zero_axis
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.intake_queue_name, { label = "waiting" }],
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.intake_queue_name, { label = "oldest (s)", yAxis = "right" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.intake_dlq_name, { label = "parked in the intake DLQ" }],
            ["AWS/Lambda", "Errors", "FunctionName", var.forwarder_function_name, { label = "forwarder errors", stat = "Sum" }],
          ]
        },
      ]
    },
    {
      title = "Purge and jobs"
      widgets = [
        {
          title  = "Photos purged and object versions deleted"
          period = 300
          stat   = "Sum"
          yAxis  = local.zero_axis
          metrics = [
            concat(local.custom["PhotosPurged"], [{ label = "photos purged" }]),
            concat(local.custom["PhotosExpired"], [{ label = "of which expired (TTL)" }]),
            concat(local.custom["PurgedObjects"], [{ label = "object versions deleted", yAxis = "right" }]),
          ]
        },
        {
          title       = "Purge: stream lag (ms), time per photo p95 (ms), parked batches"
          period      = 300
          stat        = "Maximum"
          yAxis       = local.zero_axis
          annotations = { horizontal = [{ label = "lag alarm", value = var.thresholds.purge_iterator_age_seconds * 1000, color = "#d62728" }] }
          metrics = [
            ["AWS/Lambda", "IteratorAge", "FunctionName", var.purge_function_name, { label = "stream lag" }],
            concat(local.custom["PurgeDuration"], [{ stat = "p95", label = "purge time per photo p95" }]),
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.purge_failures_queue_name, { label = "parked batches", yAxis = "right" }],
          ]
        },
        {
          title  = "Jobs: submitted, steps, done, failed, gave up"
          period = 300
          stat   = "Sum"
          yAxis  = local.zero_axis
          metrics = [
            concat(local.custom["JobsSubmitted"], [{ label = "submitted" }]),
            concat(local.custom["JobSteps"], [{ label = "steps" }]),
            concat(local.custom["JobsCompleted"], [{ label = "done", color = "#2ca02c" }]),
            concat(local.custom["JobsFailed"], [{ label = "failed", color = "#d62728" }]),
            concat(local.custom["JobsGivenUp"], [{ label = "gave up (resume_job)", color = "#8c564b" }]),
          ]
        },
        {
          title  = "Jobs: bytes exported, queue and DLQ depth"
          period = 300
          stat   = "Maximum"
          yAxis  = local.zero_axis
          metrics = [
            concat(local.custom["ExportedBytes"], [{ stat = "Sum", label = "bytes written to archives" }]),
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.jobs_queue_name, { label = "steps waiting", yAxis = "right" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.jobs_dlq_name, { label = "parked steps", yAxis = "right" }],
          ]
        },
      ]
    },
    {
      title = "Lambda functions (api, worker, purge, jobs)"
      widgets = [
        {
          title   = "Errors"
          period  = 60
          stat    = "Sum"
          yAxis   = local.zero_axis
          metrics = [for role, name in local.functions : ["AWS/Lambda", "Errors", "FunctionName", name, { label = role }]]
        },
        {
          title   = "Throttles"
          period  = 60
          stat    = "Sum"
          yAxis   = local.zero_axis
          metrics = [for role, name in local.functions : ["AWS/Lambda", "Throttles", "FunctionName", name, { label = role }]]
        },
        {
          title       = "Duration p95, worker p99 (ms)"
          period      = 300
          stat        = "p95"
          yAxis       = local.zero_axis
          annotations = { horizontal = [{ label = "worker alarm (${var.thresholds.worker_duration_percent_of_timeout}% of timeout)", value = local.worker_duration_alarm_ms, color = "#d62728" }] }
          metrics = concat(
            [for role, name in local.functions : ["AWS/Lambda", "Duration", "FunctionName", name, { label = role }]],
            [["AWS/Lambda", "Duration", "FunctionName", var.worker_function_name, { stat = "p99", label = "worker p99" }]],
          )
        },
        {
          title   = "Concurrent executions"
          period  = 60
          stat    = "Maximum"
          yAxis   = local.zero_axis
          metrics = [for role, name in local.functions : ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", name, { label = role }]]
        },
      ]
    },
    {
      title = "HTTP API"
      widgets = [
        {
          title  = "Requests, 4xx and 5xx"
          period = 60
          stat   = "Sum"
          yAxis  = local.zero_axis
          metrics = [
            concat(["AWS/ApiGateway", "Count"], local.api_dimensions, [{ label = "requests" }]),
            concat(["AWS/ApiGateway", "4xx"], local.api_dimensions, [{ label = "4xx", color = "#ff7f0e" }]),
            concat(["AWS/ApiGateway", "5xx"], local.api_dimensions, [{ label = "5xx", color = "#d62728" }]),
          ]
        },
        {
          title  = "Latency (ms)"
          period = 300
          yAxis  = local.zero_axis
          metrics = [
            concat(["AWS/ApiGateway", "Latency"], local.api_dimensions, [{ stat = "p50", label = "p50" }]),
            concat(["AWS/ApiGateway", "Latency"], local.api_dimensions, [{ stat = "p95", label = "p95" }]),
            concat(["AWS/ApiGateway", "Latency"], local.api_dimensions, [{ stat = "p99", label = "p99" }]),
            concat(["AWS/ApiGateway", "IntegrationLatency"], local.api_dimensions, [{ stat = "p95", label = "integration p95" }]),
          ]
        },
        {
          title  = "Sharing"
          period = 300
          stat   = "Sum"
          yAxis  = local.zero_axis
          metrics = [
            concat(local.custom["SharesCreated"], [{ label = "share links created" }]),
            concat(local.custom["ShareViews"], [{ label = "share link views" }]),
          ]
        },
      ]
    },
    {
      title = "Data and edge"
      widgets = [
        {
          title  = "DynamoDB throttles and consumed capacity"
          period = 60
          stat   = "Sum"
          yAxis  = local.zero_axis
          metrics = [
            ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", var.table_name, { label = "read throttles", color = "#d62728" }],
            ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", var.table_name, { label = "write throttles", color = "#9467bd" }],
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", var.table_name, { label = "RCU", yAxis = "right" }],
            ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", var.table_name, { label = "WCU", yAxis = "right" }],
          ]
        },
        {
          title  = "CloudFront 4xx / 5xx error rate (%)"
          region = "us-east-1" # CloudFront publishes its metrics in us-east-1 only
          period = 300
          stat   = "Average"
          yAxis  = local.zero_axis
          metrics = [
            ["AWS/CloudFront", "4xxErrorRate", "DistributionId", var.cloudfront_distribution_id, "Region", "Global", { label = "4xx %", color = "#ff7f0e" }],
            ["AWS/CloudFront", "5xxErrorRate", "DistributionId", var.cloudfront_distribution_id, "Region", "Global", { label = "5xx %", color = "#d62728" }],
            ["AWS/CloudFront", "Requests", "DistributionId", var.cloudfront_distribution_id, "Region", "Global", { label = "requests", stat = "Sum", yAxis = "right" }],
          ]
        },
      ]
    },
    {
      title = "AI: Rekognition and Bedrock"
      widgets = [
        {
          title       = "Caption fallback rate (%) and analysis throttling"
          period      = 300
          stat        = "Sum"
          yAxis       = local.zero_axis
          annotations = { horizontal = [{ label = "alarm", value = var.thresholds.caption_fallback_rate_percent, color = "#d62728" }] }
          metrics = [
            [{ id = "fallback_rate", expression = "100 * FILL(fallback, 0) / captions", label = "Bedrock fallback rate (%)" }],
            concat(local.custom["CaptionFallback"], [{ id = "fallback", visible = false }]),
            concat(local.custom["CaptionFallback"], [{ id = "captions", stat = "SampleCount", visible = false }]),
            concat(local.custom["AnalysisThrottled"], [{ label = "analysis and embedding calls throttled", yAxis = "right" }]),
            concat(local.custom["EmbeddingFailed"], [{ label = "READY photos left without a vector", yAxis = "right" }]),
          ]
        },
        {
          title  = "AI usage per hour"
          period = 3600
          stat   = "Sum"
          yAxis  = local.zero_axis
          metrics = [
            concat(local.custom["RekognitionImages"], [{ label = "Rekognition image units" }]),
            concat(local.custom["BedrockInputTokens"], [{ label = "Bedrock input tokens", yAxis = "right" }]),
            concat(local.custom["BedrockOutputTokens"], [{ label = "Bedrock output tokens", yAxis = "right" }]),
            concat(local.custom["EmbeddingImages"], [{ label = "photos embedded" }]),
            concat(local.custom["EmbeddingInputTokens"], [{ label = "embedding text tokens (search queries)", yAxis = "right" }]),
            concat(local.custom["FaceIndexCalls"], [{ label = "face index calls (IndexFaces + SearchFaces)" }]),
            concat(local.custom["GeocoderRequests"], [{ label = "reverse-geocoding requests (Amazon Location)" }]),
            concat(local.custom["GeocodingFailed"], [{ label = "geotagged photos left without a place", yAxis = "right" }]),
          ]
        },
        {
          title  = "Estimated AI spend per day (USD)"
          view   = "bar"
          period = 86400
          stat   = "Sum"
          yAxis  = local.zero_axis
          metrics = [
            [{ id = "spend", expression = local.spend_expression, label = "estimated USD per day" }],
            concat(local.custom["RekognitionImages"], [{ id = "rekognition", visible = false }]),
            concat(local.custom["BedrockInputTokens"], [{ id = "input_tokens", visible = false }]),
            concat(local.custom["BedrockOutputTokens"], [{ id = "output_tokens", visible = false }]),
            concat(local.custom["EmbeddingImages"], [{ id = "embedding_images", visible = false }]),
            concat(local.custom["EmbeddingInputTokens"], [{ id = "embedding_tokens", visible = false }]),
            concat(local.custom["FaceIndexCalls"], [{ id = "face_calls", visible = false }]),
            concat(local.custom["GeocoderRequests"], [{ id = "geocoder_requests", visible = false }]),
          ]
        },
      ]
    },
  ]

  header_height  = 5 # markdown header (2) + alarm status (3)
  section_height = 7 # section title (1) + graphs (6)
  section_widgets = flatten([
    for index, section in local.sections : concat(
      [{
        type       = "text"
        x          = 0
        y          = local.header_height + index * local.section_height
        width      = 24
        height     = 1
        properties = { markdown = "### ${section.title}" }
      }],
      [for position, widget in section.widgets : {
        type   = "metric"
        x      = position * floor(24 / length(section.widgets))
        y      = local.header_height + index * local.section_height + 1
        width  = floor(24 / length(section.widgets))
        height = 6
        properties = merge(
          { view = "timeSeries", stacked = false, region = local.region },
          widget,
        )
      }],
    )
  ])

  alarm_arns = [for alarm in aws_cloudwatch_metric_alarm.this : alarm.arn]

  dashboard = {
    widgets = concat(
      [
        {
          type   = "text"
          x      = 0
          y      = 0
          width  = 24
          height = 2
          properties = {
            markdown = join("\n", [
              "## PhotoVault — ${var.environment}",
              "Upload → S3 → SQS `${var.intake_queue_name}` → Lambda `${var.forwarder_function_name}` → SQS `${var.ingest_queue_name}` (fair queue, grouped by owner) → Lambda `${var.worker_function_name}` → DynamoDB `${var.table_name}`. Alarms page SNS `${local.alarm_topic_name}`; what each means and what to do: `docs/operations.md`.",
            ])
          }
        },
        {
          type       = "alarm"
          x          = 0
          y          = 2
          width      = 24
          height     = 3
          properties = { title = "Alarms", alarms = local.alarm_arns, sortBy = "stateUpdatedTimestamp" }
        },
      ],
      local.section_widgets,
    )
  }
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode(local.dashboard)
}
