# ---------------------------------------------------------------------------------------------------------
# Every use of a customer managed key by this module's roles, in one table: which role's policy, which
# actions on which key, and through which service. Each use is bound to its service with kms:ViaService, so a
# role can use a key only the way the pipeline does (S3 encrypting an object, SQS a message, ...), never
# call KMS with it directly. A use whose key is not configured grants nothing. Each role's policy document
# pulls in its own uses with `source_policy_documents` (the statements keep their sids).
# ---------------------------------------------------------------------------------------------------------

locals {
  kms_key_uses = [
    # Lambda sends a failed event to the on-failure destination, encrypted with the queue's key.
    { policy = "trigger", sid = "UseFailureQueueKey", keys = [local.kms_key_arns.queue], service = "sqs", actions = ["kms:Decrypt", "kms:GenerateDataKey"] },
    # S3 decrypts the script and the upload and encrypts the ETL output for the Glue job.
    { policy = "glue", sid = "UseBucketKey", keys = [local.kms_key_arns.bucket], service = "s3", actions = ["kms:Decrypt", "kms:GenerateDataKey"] },
    # S3 decrypts the channels and models (bucket key) and encrypts the model artifacts
    # (OutputDataConfig.KmsKeyId) for the SageMaker role.
    { policy = "sagemaker", sid = "UseKeysThroughS3", keys = local.s3_kms_key_arns, service = "s3", actions = ["kms:Decrypt", "kms:GenerateDataKey"] },
    # The run reads its ETL manifest and writes the evaluation record.
    { policy = "step_function", sid = "UseBucketKeyForEvaluations", keys = [local.kms_key_arns.bucket], service = "s3", actions = ["kms:Decrypt", "kms:GenerateDataKey"] },
    # security.kms_key_arn is the deployments table's key: DynamoDB uses it with the caller's permissions.
    { policy = "step_function", sid = "UseDeploymentsTableKey", keys = [var.security.kms_key_arn], service = "dynamodb", actions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"] },
    # CreateTrainingJob (VolumeKmsKeyId) and CreateEndpoint/UpdateEndpoint (the endpoint config's KmsKeyId)
    # check the key and create grants for the AWS resources with the caller's permissions.
    { policy = "step_function", sid = "DescribeSageMakerKey", keys = [local.kms_key_arns.sagemaker], service = "sagemaker", actions = ["kms:DescribeKey"] },
    { policy = "step_function", sid = "GrantSageMakerKeyToResources", keys = [local.kms_key_arns.sagemaker], service = "sagemaker", actions = ["kms:CreateGrant"], grant_for_aws_resource = true },
    # EventBridge Scheduler sends an undeliverable tick to the dead-letter queue (retraining.tf).
    { policy = "scheduler", sid = "UseFailureQueueKey", keys = [local.kms_key_arns.queue], service = "sqs", actions = ["kms:Decrypt", "kms:GenerateDataKey"] },
    # The row counter reads the file to score and the predictions (scoring.tf).
    { policy = "scoring_rows", sid = "DecryptThroughS3", keys = local.s3_kms_key_arns, service = "s3", actions = ["kms:Decrypt"] },
    # The scoring run writes the transform's input manifest and the predictions manifest.
    { policy = "scoring_state_machine", sid = "UseBucketKeyForManifests", keys = [local.kms_key_arns.bucket], service = "s3", actions = ["kms:GenerateDataKey"] },
    # CreateTransformJob checks the output and volume key and creates grants with the caller's permissions.
    { policy = "scoring_state_machine", sid = "UseSageMakerKey", keys = [local.kms_key_arns.sagemaker], service = "sagemaker", actions = ["kms:DescribeKey", "kms:CreateGrant"] },
  ]

  kms_key_use_policies = toset([for use in local.kms_key_uses : use.policy])
}

# One document per role policy, empty when none of its keys is configured.
data "aws_iam_policy_document" "kms_key_uses" {
  for_each = local.kms_key_use_policies

  dynamic "statement" {
    for_each = [for use in local.kms_key_uses : use if use.policy == each.key && length(compact(use.keys)) > 0]
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = compact(statement.value.keys)

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["${statement.value.service}.${local.region}.amazonaws.com"]
      }

      dynamic "condition" {
        for_each = try(statement.value.grant_for_aws_resource, false) ? [true] : []
        content {
          test     = "Bool"
          variable = "kms:GrantIsForAWSResource"
          values   = ["true"]
        }
      }
    }
  }
}
