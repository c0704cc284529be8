output "alarm_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies (subscribe pagers or chat integrations here)."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_topic_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the alarm topic (publishers other than CloudWatch need kms:GenerateDataKey* on it)."
  value       = aws_kms_key.alarms.arn
}

output "alarm_names" {
  description = "Names of the alarms, by role."
  value = merge(
    {
      dlq_not_empty         = aws_cloudwatch_metric_alarm.dlq_not_empty.alarm_name
      ingest_oldest_message = aws_cloudwatch_metric_alarm.ingest_oldest_message.alarm_name
      worker_error_rate     = aws_cloudwatch_metric_alarm.worker_error_rate.alarm_name
      api_5xx_rate          = aws_cloudwatch_metric_alarm.api_5xx_rate.alarm_name
      dynamodb_throttles    = aws_cloudwatch_metric_alarm.dynamodb_throttles.alarm_name
      analysis_throttled    = aws_cloudwatch_metric_alarm.analysis_throttled.alarm_name
      caption_fallback_rate = aws_cloudwatch_metric_alarm.caption_fallback_rate.alarm_name
    },
    { for role in keys(local.functions) : "${role}_throttles" => aws_cloudwatch_metric_alarm.lambda_throttles[role].alarm_name },
  )
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard."
  value       = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}
