terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = "6.25.0"
      configuration_aliases = [aws.us_east_1]
    }
    tls = {
      source  = "hashicorp/tls"
      version = "4.1.0"
    }
  }
}
