output "object_keys" {
  description = "Keys of the app's files uploaded to the web bucket (config.json not included)."
  value       = sort(keys(aws_s3_object.this))
}

output "config_json" {
  description = "The /config.json document the app reads at start-up."
  value       = aws_s3_object.config.content
}
