# Bursts: the deployments table holding each endpoint's claim, the state machine's grant on it, and the
# template variable naming it.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

run "table_and_its_wiring" {
  command = plan

  assert {
    condition = (
      aws_dynamodb_table.deployments.name == "churn-xgboost-deployments" &&
      aws_dynamodb_table.deployments.billing_mode == "PAY_PER_REQUEST" &&
      aws_dynamodb_table.deployments.hash_key == "endpoint_name" &&
      one(aws_dynamodb_table.deployments.attribute).name == "endpoint_name" &&
      one(aws_dynamodb_table.deployments.attribute).type == "S"
    )
    error_message = "the deployments table must be <name>-deployments, on demand, keyed by endpoint_name (S)"
  }

  assert {
    condition     = one(aws_dynamodb_table.deployments.point_in_time_recovery).enabled == true
    error_message = "point-in-time recovery must be on"
  }

  assert {
    condition     = aws_dynamodb_table.deployments.tags["mlops-pipeline"] == "churn-xgboost"
    error_message = "the table must carry the module's tags"
  }

  # Without a key: DynamoDB's default encryption at rest (AWS owned key), and no KMS grant.
  assert {
    condition = (
      one(aws_dynamodb_table.deployments.server_side_encryption).enabled == false &&
      length([for s in data.aws_iam_policy_document.kms_key_uses["step_function"].statement : s if s.sid == "UseDeploymentsTableKey"]) == 0
    )
    error_message = "without security.kms_key_arn the table uses the default encryption and no key is granted"
  }

  assert {
    condition = (
      output.state_machine_template_variables.deployments_table_name == "churn-xgboost-deployments" &&
      output.deployments_table_name == "churn-xgboost-deployments"
    )
    error_message = "the template and the output must name the module's table"
  }

  assert {
    condition = (
      jsondecode(output.state_machine_definition).States.ClaimEndpoint.Parameters.TableName == "churn-xgboost-deployments" &&
      jsondecode(output.state_machine_definition).States.ClaimEndpoint.Parameters.Key.endpoint_name.S == "churn-xgboost-endpoint" &&
      jsondecode(output.state_machine_definition).States.VerifyClaim.Parameters.TableName == "churn-xgboost-deployments"
    )
    error_message = "the rendered claim must write this pipeline's table, keyed by its endpoint"
  }
}

run "grant_is_scoped_to_the_table" {
  command = plan

  assert {
    condition     = one([for s in data.aws_iam_policy_document.step_function.statement : s if s.sid == "ClaimEndpoint"]).actions == toset(["dynamodb:UpdateItem", "dynamodb:GetItem"])
    error_message = "the claim needs UpdateItem and GetItem, nothing else"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.step_function.statement : s if s.sid == "ClaimEndpoint"]).resources == toset(["arn:aws:dynamodb:us-east-1:123456789012:table/churn-xgboost-deployments"])
    error_message = "the DynamoDB grant must be on this pipeline's table only"
  }

  assert {
    condition = length(flatten([
      for document in [data.aws_iam_policy_document.trigger, data.aws_iam_policy_document.glue, data.aws_iam_policy_document.sagemaker] : [
        for s in document.statement : s.sid if anytrue([for action in s.actions : startswith(action, "dynamodb:")])
      ]
    ])) == 0
    error_message = "only the state machine's role may use the deployments table"
  }
}

run "customer_managed_key" {
  command = plan

  variables {
    security = {
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  assert {
    condition = (
      one(aws_dynamodb_table.deployments.server_side_encryption).enabled == true &&
      one(aws_dynamodb_table.deployments.server_side_encryption).kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    error_message = "with security.kms_key_arn the table must be encrypted with that key"
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.kms_key_uses["step_function"].statement : s if s.sid == "UseDeploymentsTableKey"]).resources == toset(["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]) &&
      one([for s in data.aws_iam_policy_document.kms_key_uses["step_function"].statement : one(s.condition).values if s.sid == "UseDeploymentsTableKey"]) == tolist(["dynamodb.us-east-1.amazonaws.com"])
    )
    error_message = "the table's key must be granted on that key only, through DynamoDB only"
  }
}
