output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets the functions run in, one per availability zone."
  value       = [for zone in var.availability_zones : aws_subnet.private[zone].id]
}

output "lambda_security_group_id" {
  description = "Security group for the functions: HTTPS egress to the VPC endpoints only."
  value       = aws_security_group.lambda.id
}

output "interface_endpoint_ids" {
  description = "Interface VPC endpoint IDs by service."
  value       = { for service, endpoint in aws_vpc_endpoint.interface : service => endpoint.id }
}
