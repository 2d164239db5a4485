# Serverless inference (endpoint.serverless): SageMaker's limits, the strategies it allows, and the endpoint
# config the runs create.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

run "serverless_endpoint_config" {
  command = plan

  variables {
    endpoint = { serverless = { memory_size_mb = 2048, max_concurrency = 10, provisioned_concurrency = 2 } }
  }

  assert {
    condition = jsondecode(output.state_machine_definition).States.CreateEndpointConfig.Parameters.ProductionVariants[0] == {
      VariantName   = "AllTraffic"
      "ModelName.$" = "$.names.model"
      ServerlessConfig = {
        MemorySizeInMB         = 2048
        MaxConcurrency         = 10
        ProvisionedConcurrency = 2
      }
    }
    error_message = "a serverless endpoint config has ServerlessConfig and no instance type or count"
  }

  assert {
    condition     = output.endpoint_deployment_config != null && output.endpoint_deployment_config.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.Type == "ALL_AT_ONCE"
    error_message = "a serverless endpoint is updated all at once, still watched by the rollback alarms"
  }
}

run "instances_by_default" {
  command = plan

  assert {
    condition     = jsondecode(output.state_machine_definition).States.CreateEndpointConfig.Parameters.ProductionVariants[0].InstanceType == "ml.m5.large" && !contains(keys(jsondecode(output.state_machine_definition).States.CreateEndpointConfig.Parameters.ProductionVariants[0]), "ServerlessConfig")
    error_message = "without endpoint.serverless the variant is instance-based"
  }
}

run "serverless_memory_size_is_one_of_sagemakers" {
  command = plan

  variables {
    endpoint = { serverless = { memory_size_mb = 1500, max_concurrency = 10 } }
  }

  expect_failures = [var.endpoint]
}

run "serverless_max_concurrency_is_at_most_200" {
  command = plan

  variables {
    endpoint = { serverless = { memory_size_mb = 1024, max_concurrency = 201 } }
  }

  expect_failures = [var.endpoint]
}

run "provisioned_concurrency_is_at_most_max_concurrency" {
  command = plan

  variables {
    endpoint = { serverless = { memory_size_mb = 1024, max_concurrency = 2, provisioned_concurrency = 3 } }
  }

  expect_failures = [var.endpoint]
}

run "serverless_canary_is_a_share_of_capacity" {
  command = plan

  variables {
    endpoint            = { serverless = { memory_size_mb = 1024, max_concurrency = 5 } }
    endpoint_deployment = { strategy = "canary", step = { type = "CAPACITY_PERCENT", value = 20 } }
  }

  assert {
    condition     = output.endpoint_deployment_config.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize == { Type = "CAPACITY_PERCENT", Value = 20 }
    error_message = "a serverless endpoint's canary is a CAPACITY_PERCENT of its capacity"
  }
}

run "serverless_refuses_an_instance_count_step" {
  command = plan

  variables {
    endpoint            = { serverless = { memory_size_mb = 1024, max_concurrency = 5 } }
    endpoint_deployment = { strategy = "canary", step = { type = "INSTANCE_COUNT", value = 1 } }
  }

  expect_failures = [var.endpoint_deployment]
}

run "serverless_refuses_a_rolling_update" {
  command = plan

  variables {
    endpoint            = { instance_count = 4, serverless = { memory_size_mb = 1024, max_concurrency = 5 } }
    endpoint_deployment = { strategy = "rolling" }
  }

  expect_failures = [var.endpoint_deployment]
}
