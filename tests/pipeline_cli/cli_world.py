"""Pipelines as the Terraform module and the state machine leave them, built with boto3 against the local
cloud: a tagged model package group, versions with the pipeline's metadata, an endpoint on a model created
from a version, and a state machine whose executions have the pipeline's inputs and outputs.

Built by hand rather than with the module so the CLI's tests depend only on the contracts it reads.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from pipeline_cli.pipeline import APPROVAL_MODE_TAG, ENDPOINT_TAG, STATE_MACHINE_TAG
from tests.localcloud.sagemaker.xgboost_models import model_tarball

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
METRIC = "validation:error"

# Stands in for the pipeline's state machine: the execution input's `test` field says how the run ends, the
# rest of the input is what the trigger would send.
STAND_IN_DEFINITION = {
    "StartAt": "Route",
    "States": {
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.test.fail", "IsPresent": True, "Next": "Failed"},
                {"Variable": "$.test.wait", "IsPresent": True, "Next": "Waiting"},
            ],
            "Default": "Succeeded",
        },
        "Succeeded": {"Type": "Pass", "OutputPath": "$.test.output", "End": True},
        "Failed": {"Type": "Fail", "ErrorPath": "$.test.fail.error", "CausePath": "$.test.fail.cause"},
        "Waiting": {"Type": "Wait", "Seconds": 600, "End": True},
    },
}


def _role(aws: Callable[[str], Any], services: list[str]) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"}],
    }
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    name = f"pipeline-cli-{uuid.uuid4().hex[:8]}"
    arn = aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    aws("iam").put_role_policy(RoleName=name, PolicyName="everything", PolicyDocument=json.dumps(everything))
    return arn


class World:
    def __init__(self, aws: Callable[[str], Any]) -> None:
        self.aws = aws
        self.sagemaker = aws("sagemaker")
        self.stepfunctions = aws("stepfunctions")
        self.bucket = f"pipeline-cli-{uuid.uuid4().hex[:8]}"
        aws("s3").create_bucket(Bucket=self.bucket)
        # A real model: the local endpoint serves it with XGBoost.
        aws("s3").put_object(Bucket=self.bucket, Key="model.tar.gz", Body=model_tarball(4, seed=1)[0])
        self.role_arn = _role(aws, ["sagemaker.amazonaws.com", "states.amazonaws.com"])
        self.endpoints: list[str] = []
        self.state_machines: dict[str, str] = {}

    def pipeline(
        self, name: str, approval_mode: str = "manual", tags: Mapping[str, str] | None = None
    ) -> str:
        """A group named `name` tagged as the module tags it (or with `tags`), and its state machine."""
        state_machine = self.stepfunctions.create_state_machine(
            name=f"{name}-pipeline", definition=json.dumps(STAND_IN_DEFINITION), roleArn=self.role_arn
        )["stateMachineArn"]
        self.state_machines[name] = state_machine
        if tags is None:
            tags = {
                ENDPOINT_TAG: f"{name}-endpoint",
                STATE_MACHINE_TAG: state_machine,
                APPROVAL_MODE_TAG: approval_mode,
            }
        self.sagemaker.create_model_package_group(
            ModelPackageGroupName=name,
            ModelPackageGroupDescription=f"models of pipeline {name}",
            Tags=[{"Key": key, "Value": value} for key, value in tags.items()],
        )
        return name

    def register(self, name: str, status: str, run_id: str, metric_value: str | None = "0.0533") -> str:
        """A version as the pipeline registers it; `metric_value` None: a pipeline without a quality gate."""
        metadata = {
            "run_id": run_id,
            "training_job": f"{name}--{run_id}",
            "source_bucket": self.bucket,
            "gate_verdict": "Passed" if status == "Approved" else "Rejected",
        }
        if metric_value is not None:
            metadata |= {"gate_metric_name": METRIC, "gate_metric_value": metric_value}
        passed = "Passed" if status == "Approved" else "Failed"
        verdict = (
            f"{passed} the quality gate: {METRIC} = {metric_value}, required LessThan 0.1"
            if metric_value is not None
            else "No quality gate: registered as trained"
        )
        return self.sagemaker.create_model_package(
            ModelPackageGroupName=name,
            ModelPackageDescription=verdict,
            InferenceSpecification={
                "Containers": [{"Image": IMAGE, "ModelDataUrl": f"s3://{self.bucket}/model.tar.gz"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
            CustomerMetadataProperties=metadata,
            ModelApprovalStatus=status,
        )["ModelPackageArn"]

    def _endpoint_config(self, name: str, package_arn: str) -> str:
        """A model from the version (it must be Approved) and an endpoint config on it, as a run does."""
        config_name = f"{name}--{uuid.uuid4().hex[:10]}"
        self.sagemaker.create_model(
            ModelName=config_name,
            ExecutionRoleArn=self.role_arn,
            PrimaryContainer={"ModelPackageName": package_arn},
        )
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=config_name,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": config_name,
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
        )
        return config_name

    def deploy(self, name: str, package_arn: str) -> None:
        """Create the pipeline's endpoint on the version and wait until it is InService."""
        endpoint = f"{name}-endpoint"
        self.sagemaker.create_endpoint(
            EndpointName=endpoint, EndpointConfigName=self._endpoint_config(name, package_arn)
        )
        self.endpoints.append(endpoint)
        self.wait_for_status(endpoint, "InService")

    def start_slow_update(self, name: str, package_arn: str) -> None:
        """Update the endpoint to the version with a 10-minute bake, so it stays Updating for the test."""
        self.sagemaker.update_endpoint(
            EndpointName=f"{name}-endpoint",
            EndpointConfigName=self._endpoint_config(name, package_arn),
            DeploymentConfig={
                "BlueGreenUpdatePolicy": {
                    "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600},
                    "MaximumExecutionTimeoutInSeconds": 1800,
                }
            },
        )

    def wait_for_status(self, endpoint: str, status: str, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            described = self.sagemaker.describe_endpoint(EndpointName=endpoint)
            if described["EndpointStatus"] == status:
                return described
            if time.monotonic() > deadline or described["EndpointStatus"] == "Failed":
                raise AssertionError(
                    f"endpoint {endpoint}: {described['EndpointStatus']}, not {status}: {described}"
                )
            time.sleep(0.2)

    def delete_endpoints(self) -> None:
        """Stop the endpoints' model servers (processes of this test run)."""
        for endpoint in self.endpoints:
            self.sagemaker.delete_endpoint(EndpointName=endpoint)

    def run(self, name: str, execution_name: str, run_input: Mapping[str, Any]) -> str:
        """Start a run of the stand-in state machine and wait until it has left RUNNING (unless it waits)."""
        execution = self.stepfunctions.start_execution(
            stateMachineArn=self.state_machines[name], name=execution_name, input=json.dumps(run_input)
        )["executionArn"]
        if "wait" in run_input.get("test", {}):
            return execution
        deadline = time.monotonic() + 30
        while self.stepfunctions.describe_execution(executionArn=execution)["status"] == "RUNNING":
            if time.monotonic() > deadline:
                raise AssertionError(f"execution {execution_name} still RUNNING")
            time.sleep(0.1)
        return execution
