# The alarms were eight resource blocks; they are one for_each over local.alarms now. Same alarm names, so
# these moves keep every alarm (and its history) instead of replacing it.

moved {
  from = aws_cloudwatch_metric_alarm.dlq_not_empty
  to   = aws_cloudwatch_metric_alarm.this["dlq-not-empty"]
}

moved {
  from = aws_cloudwatch_metric_alarm.ingest_oldest_message
  to   = aws_cloudwatch_metric_alarm.this["ingest-oldest-message"]
}

moved {
  from = aws_cloudwatch_metric_alarm.worker_error_rate
  to   = aws_cloudwatch_metric_alarm.this["worker-error-rate"]
}

moved {
  from = aws_cloudwatch_metric_alarm.api_5xx_rate
  to   = aws_cloudwatch_metric_alarm.this["api-5xx-rate"]
}

moved {
  from = aws_cloudwatch_metric_alarm.dynamodb_throttles
  to   = aws_cloudwatch_metric_alarm.this["dynamodb-throttles"]
}

moved {
  from = aws_cloudwatch_metric_alarm.analysis_throttled
  to   = aws_cloudwatch_metric_alarm.this["analysis-throttled"]
}

moved {
  from = aws_cloudwatch_metric_alarm.caption_fallback_rate
  to   = aws_cloudwatch_metric_alarm.this["caption-fallback-rate"]
}

moved {
  from = aws_cloudwatch_metric_alarm.lambda_throttles["api"]
  to   = aws_cloudwatch_metric_alarm.this["api-throttles"]
}

moved {
  from = aws_cloudwatch_metric_alarm.lambda_throttles["worker"]
  to   = aws_cloudwatch_metric_alarm.this["worker-throttles"]
}
