locals {
  # Every service the module's resources and data sources call. With aws_endpoint_url set (the offline
  # cloud of `make demo`), all of them go to that one URL; otherwise the provider talks to AWS as usual.
  local_cloud = var.aws_endpoint_url != null
}

provider "aws" {
  region = var.region

  # A local cloud accepts any credentials; real AWS uses the normal credential chain (null = unset).
  access_key                  = local.local_cloud ? "test" : null
  secret_key                  = local.local_cloud ? "test" : null
  s3_use_path_style           = local.local_cloud
  skip_credentials_validation = local.local_cloud
  skip_metadata_api_check     = local.local_cloud
  # The account id still comes from sts:GetCallerIdentity (the local cloud answers it): the bucket name
  # and the IAM policies are built from it.
  skip_requesting_account_id = false
  # An API the local cloud lacks answers 500; fail fast instead of retrying for minutes.
  max_retries = local.local_cloud ? 1 : null

  dynamic "endpoints" {
    for_each = local.local_cloud ? [var.aws_endpoint_url] : []

    content {
      cloudwatch     = endpoints.value
      cloudwatchlogs = endpoints.value
      ecr            = endpoints.value
      events         = endpoints.value
      glue           = endpoints.value
      iam            = endpoints.value
      lambda         = endpoints.value
      s3             = endpoints.value
      sagemaker      = endpoints.value
      sfn            = endpoints.value
      sqs            = endpoints.value
      sts            = endpoints.value
    }
  }
}
