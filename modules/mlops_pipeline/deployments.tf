# Bursts: the newest upload wins. One item per endpoint records the run of the newest upload that passed the
# quality gate and claimed the endpoint (its `order_key`, computed by the trigger from the S3 event, and its
# run id). The state machine claims with a conditional write (`ClaimEndpoint`: only when no newer upload's run
# holds the claim) and reads the item again before each attempt to update the endpoint, so an older run
# never replaces a newer upload's model and ends `Superseded` instead (statemachine/README.md, "Bursts").
resource "aws_dynamodb_table" "deployments" {
  #checkov:skip=CKV_AWS_119:Encrypted at rest always (DynamoDB's AWS owned key by default); with security.kms_key_arn the customer managed key, like every other resource of the module. The table holds run ids and upload order keys only, no data
  name         = local.deployments_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "endpoint_name"

  attribute {
    name = "endpoint_name"
    type = "S"
  }

  # With security.kms_key_arn, the customer managed key; otherwise DynamoDB's default encryption at rest
  # (an AWS owned key: the provider's `enabled = false`).
  server_side_encryption {
    enabled     = var.security.kms_key_arn != null
    kms_key_arn = var.security.kms_key_arn
  }

  # The item is the record of which upload serves; PITR keeps 35 days of it for a few cents (one small item).
  point_in_time_recovery {
    enabled = true
  }

  tags = local.tags
}
