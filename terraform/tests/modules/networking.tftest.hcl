# The networking module on its own: every VPC endpoint carries a policy that lets only this account's principals
# reach this environment's resources (the data buckets, the table, the topics, ...), and the flow-logs role can be
# assumed only for this account's flow logs.

mock_provider "aws" {}

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
  name_prefix        = "pv-test"
  cidr_block         = "10.20.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  kms_key_arn        = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001"
  endpoint_access = {
    bucket_arns        = ["arn:aws:s3:::pv-test-originals-111122223333", "arn:aws:s3:::pv-test-derivatives-111122223333"]
    table_arn          = "arn:aws:dynamodb:eu-west-1:111122223333:table/pv-test-photos"
    bedrock_model_id   = "anthropic.claude-3-haiku-20240307-v1:0"
    embedding_model_id = "amazon.titan-embed-image-v1"
    vector_index_arn   = "arn:aws:s3vectors:eu-west-1:111122223333:bucket/pv-test-vectors/index/photos-1024"
  }
}

run "endpoint_policies" {
  command = plan

  module {
    source = "./modules/networking"
  }

  assert {
    condition = alltrue([
      for service, endpoint in merge(aws_vpc_endpoint.gateway, aws_vpc_endpoint.interface) :
      endpoint.policy == data.aws_iam_policy_document.endpoint[service].json
    ]) && length(aws_vpc_endpoint.gateway) == 2 && length(aws_vpc_endpoint.interface) == length(var.interface_endpoint_services)
    error_message = "Every gateway and interface endpoint has its own endpoint policy (none keeps AWS's allow-all default)."
  }

  assert {
    condition = alltrue(flatten([
      for document in values(data.aws_iam_policy_document.endpoint) : [
        for statement in document.statement :
        one(statement.principals).type == "*" &&
        toset([for condition in statement.condition : "${condition.test} ${condition.variable} ${join(",", condition.values)}"]) ==
        toset(["StringEquals aws:PrincipalAccount 111122223333"]) &&
        !anytrue([for action in statement.actions : endswith(action, "*")]) && coalesce(statement.effect, "Allow") == "Allow"
      ]
    ]))
    error_message = "Each statement allows named actions (no wildcards) to this account's principals only."
  }

  assert {
    condition = toset(flatten([for statement in data.aws_iam_policy_document.endpoint["s3"].statement : tolist(statement.resources)])) == toset([
      "arn:aws:s3:::pv-test-originals-111122223333", "arn:aws:s3:::pv-test-originals-111122223333/*",
      "arn:aws:s3:::pv-test-derivatives-111122223333", "arn:aws:s3:::pv-test-derivatives-111122223333/*",
    ])
    error_message = "Through the S3 endpoint the functions reach the originals and derivatives buckets and no other bucket (nothing to copy data out to)."
  }

  assert {
    condition = toset(flatten([for statement in data.aws_iam_policy_document.endpoint["dynamodb"].statement : tolist(statement.resources)])) == toset([
      "arn:aws:dynamodb:eu-west-1:111122223333:table/pv-test-photos", "arn:aws:dynamodb:eu-west-1:111122223333:table/pv-test-photos/index/*",
    ]) && !anytrue([for statement in data.aws_iam_policy_document.endpoint["dynamodb"].statement : contains(statement.actions, "dynamodb:Scan")])
    error_message = "Through the DynamoDB endpoint only the table (and its indexes), and never a Scan."
  }

  assert {
    condition = alltrue(flatten([
      for service, document in data.aws_iam_policy_document.endpoint : [
        for statement in document.statement : alltrue([
          for resource in statement.resources :
          resource == "*" ? contains(["rekognition", "xray", "sts"], service) : (
            strcontains(resource, "pv-test") || resource == var.kms_key_arn || strcontains(resource, "foundation-model/${var.endpoint_access.bedrock_model_id}") ||
            strcontains(resource, "foundation-model/${var.endpoint_access.embedding_model_id}")
          )
        ])
      ]
    ]))
    error_message = "Every resource is this environment's (named pv-test-*), its key or its Bedrock model; \"*\" only where the service has no resource ARNs."
  }

  assert {
    condition = toset(flatten([for statement in data.aws_iam_policy_document.endpoint["bedrock-runtime"].statement : tolist(statement.resources)])) == toset([
      "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
      "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-image-v1",
    ])
    error_message = "Through the Bedrock endpoint only the caption model and the embedding model."
  }

  assert {
    condition = (
      aws_vpc_endpoint.interface["s3vectors"].service_name == "com.amazonaws.eu-west-1.s3vectors" &&
      aws_vpc_endpoint.interface["s3vectors"].private_dns_enabled &&
      toset(flatten([for statement in data.aws_iam_policy_document.endpoint["s3vectors"].statement : tolist(statement.resources)])) == toset([var.endpoint_access.vector_index_arn]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.endpoint["s3vectors"].statement : tolist(statement.actions)])) ==
      toset(["s3vectors:PutVectors", "s3vectors:DeleteVectors", "s3vectors:QueryVectors", "s3vectors:GetVectors"])
    )
    error_message = "The functions reach S3 Vectors from the private subnets (interface endpoint, private DNS), and through it only the photos' index, only with the four vector calls the code makes."
  }

  assert {
    condition = (
      aws_vpc_endpoint.interface["geo.places"].service_name == "com.amazonaws.eu-west-1.geo.places" &&
      aws_vpc_endpoint.interface["geo.places"].private_dns_enabled &&
      toset(flatten([for statement in data.aws_iam_policy_document.endpoint["geo.places"].statement : tolist(statement.resources)])) ==
      toset(["arn:aws:geo:eu-west-1:111122223333:place-index/pv-test-*"]) &&
      toset(flatten([for statement in data.aws_iam_policy_document.endpoint["geo.places"].statement : tolist(statement.actions)])) ==
      toset(["geo:SearchPlaceIndexForPosition"])
    )
    error_message = "The worker reaches Amazon Location's places host from the private subnets (geo.places interface endpoint, private DNS), and through it only this environment's place indexes, only to reverse-geocode."
  }
}

run "flow_logs_role_trusts_only_this_accounts_flow_logs" {
  command = plan

  module {
    source = "./modules/networking"
  }

  assert {
    condition = toset([
      for condition in one(data.aws_iam_policy_document.flow_logs_assume.statement).condition : "${condition.test} ${condition.variable} ${join(",", condition.values)}"
      ]) == toset([
      "StringEquals aws:SourceAccount 111122223333",
      "ArnLike aws:SourceArn arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/*",
    ])
    error_message = "vpc-flow-logs.amazonaws.com may assume the role only for this account's flow logs (confused deputy)."
  }
}

run "an_interface_endpoint_without_a_policy_is_refused" {
  command = plan

  module {
    source = "./modules/networking"
  }

  variables {
    interface_endpoint_services = ["rekognition", "ecr.api"]
  }

  expect_failures = [var.interface_endpoint_services]
}

run "rekognition_reaches_only_this_environments_face_collections" {
  command = plan

  module {
    source = "./modules/networking"
  }

  assert {
    condition = contains(var.interface_endpoint_services, "rekognition") && toset(flatten([
      for statement in data.aws_iam_policy_document.endpoint["rekognition"].statement : tolist(statement.resources)
      if contains(statement.actions, "rekognition:IndexFaces")
    ])) == toset(["arn:aws:rekognition:eu-west-1:111122223333:collection/pv-test-faces-*"])
    error_message = "The private subnets reach Rekognition through its endpoint, and the face collection calls only on this environment's collections."
  }
}
