"""The SageMaker Model Registry on the local cloud, as a pipeline uses it: register model versions in a
group, read and list them, approve or reject them, deploy an approved version to an endpoint, and register
a burst of versions at once.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
import xgboost as xgb
from botocore.exceptions import ClientError

from localcloud import config
from localcloud.server import LocalCloud
from tests.localcloud.sagemaker.role_statements import service_role_session
from tests.localcloud.sagemaker.xgboost_models import model_tarball

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
RUN = uuid.uuid4().hex[:8]
BUCKET = f"registry-{RUN}"
FEATURES = 4
SM = f"arn:aws:sagemaker:{config.REGION}:{config.ACCOUNT_ID}"
ROWS = np.random.default_rng(5).normal(size=(6, FEATURES))


def _model(seed: int) -> tuple[bytes, xgb.Booster]:
    return model_tarball(FEATURES, seed, label_column=seed % FEATURES)


class Registry:
    def __init__(self, aws: Callable[[str], Any], role_arn: str) -> None:
        self.aws = aws
        self.role_arn = role_arn
        self.sagemaker = aws("sagemaker")
        self.runtime = aws("sagemaker-runtime")
        aws("s3").create_bucket(Bucket=BUCKET)
        self.boosters: dict[str, xgb.Booster] = {}
        for name, seed in (("one", 1), ("two", 2)):
            tarball, self.boosters[name] = _model(seed)
            aws("s3").put_object(Bucket=BUCKET, Key=f"models/{name}/model.tar.gz", Body=tarball)

    def group(self, name: str | None = None) -> str:
        group = name or f"churn-{uuid.uuid4().hex[:8]}"
        self.sagemaker.create_model_package_group(
            ModelPackageGroupName=group, ModelPackageGroupDescription="churn models"
        )
        return group

    def register(self, group: str, model: str, status: str, client: Any = None, **extra: Any) -> str:
        return (client or self.sagemaker).create_model_package(
            ModelPackageGroupName=group,
            ModelPackageDescription=f"churn model {model}",
            InferenceSpecification={
                "Containers": [
                    {"Image": IMAGE, "ModelDataUrl": f"s3://{BUCKET}/models/{model}/model.tar.gz"}
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
            ModelMetrics={
                "ModelQuality": {
                    "Statistics": {
                        "ContentType": "application/json",
                        "S3Uri": f"s3://{BUCKET}/evaluation/{model}/metrics.json",
                    }
                }
            },
            CustomerMetadataProperties={"model": model, "validation_auc": "0.91"},
            ModelApprovalStatus=status,
            **extra,
        )["ModelPackageArn"]

    def serve(self, name: str, container: dict[str, Any]) -> str:
        self.sagemaker.create_model(
            ModelName=name, ExecutionRoleArn=self.role_arn, PrimaryContainer=container
        )
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": name,
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
        )
        return name

    def wait(self, endpoint: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            description = self.sagemaker.describe_endpoint(EndpointName=endpoint)
            if description["EndpointStatus"] in ("InService", "Failed"):
                return description
            time.sleep(0.1)
        raise AssertionError(f"endpoint {endpoint} still {description['EndpointStatus']}")

    def predict(self, endpoint: str) -> list[float]:
        body = "\n".join(",".join(f"{value:.6g}" for value in row) for row in ROWS)
        answer = self.runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=body)
        return [float(value) for value in answer["Body"].read().decode().split(",")]

    def expected(self, model: str) -> list[float]:
        rows = np.array([[float(f"{value:.6g}") for value in row] for row in ROWS])
        return [float(value) for value in self.boosters[model].inplace_predict(rows)]


@pytest.fixture(scope="module")
def registry(aws: Callable[[str], Any], role_arn: str) -> Registry:
    return Registry(aws, role_arn)


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_registered_versions_round_trip(registry: Registry) -> None:
    group = registry.group(f"Churn-Models-{RUN}")
    approved = registry.register(group, "one", "Approved")
    rejected = registry.register(group, "two", "Rejected")

    # Versions count from 1 in each group; the group's name is lowercased in the version's ARN.
    assert approved == f"{SM}:model-package/churn-models-{RUN}/1"
    assert rejected == f"{SM}:model-package/churn-models-{RUN}/2"
    first = registry.sagemaker.describe_model_package(ModelPackageName=approved)
    second = registry.sagemaker.describe_model_package(ModelPackageName=rejected)
    assert (first["ModelPackageVersion"], second["ModelPackageVersion"]) == (1, 2)
    assert (first["ModelApprovalStatus"], second["ModelApprovalStatus"]) == ("Approved", "Rejected")
    assert first["ModelPackageGroupName"] == group
    assert first["ModelPackageArn"] == approved
    assert first["ModelPackageDescription"] == "churn model one"
    assert first["ModelPackageStatus"] == "Completed"
    assert first["CustomerMetadataProperties"] == {"model": "one", "validation_auc": "0.91"}
    assert first["ModelMetrics"]["ModelQuality"]["Statistics"] == {
        "ContentType": "application/json",
        "S3Uri": f"s3://{BUCKET}/evaluation/one/metrics.json",
    }
    assert first["InferenceSpecification"] == {
        "Containers": [{"Image": IMAGE, "ModelDataUrl": f"s3://{BUCKET}/models/one/model.tar.gz"}],
        "SupportedContentTypes": ["text/csv"],
        "SupportedResponseMIMETypes": ["text/csv"],
    }
    # A group may be named by its ARN, as the API allows.
    group_arn = registry.sagemaker.describe_model_package_group(ModelPackageGroupName=group)[
        "ModelPackageGroupArn"
    ]
    assert (
        registry.sagemaker.describe_model_package_group(ModelPackageGroupName=group_arn)[
            "ModelPackageGroupName"
        ]
        == group
    )
    third = registry.register(group_arn, "one", "PendingManualApproval")
    assert third == f"{SM}:model-package/churn-models-{RUN}/3"


def test_a_groups_versions_are_listed_in_creation_order(registry: Registry) -> None:
    group = registry.group()
    arns = [registry.register(group, "one", "Approved"), registry.register(group, "two", "Rejected")]
    other = registry.group()
    registry.register(other, "one", "Approved")

    def listed(**filters: Any) -> list[tuple[int, str]]:
        summaries = registry.sagemaker.list_model_packages(ModelPackageGroupName=group, **filters)
        return [
            (s["ModelPackageVersion"], s["ModelPackageArn"]) for s in summaries["ModelPackageSummaryList"]
        ]

    assert listed() == [(1, arns[0]), (2, arns[1])]
    assert listed(SortBy="CreationTime", SortOrder="Descending") == [(2, arns[1]), (1, arns[0])]
    assert listed(ModelApprovalStatus="Approved") == [(1, arns[0])]
    summary = registry.sagemaker.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"][
        1
    ]
    assert summary["ModelPackageGroupName"] == group
    assert summary["ModelApprovalStatus"] == "Rejected"


def test_updating_the_approval_status_keeps_what_the_update_does_not_name(registry: Registry) -> None:
    group = registry.group()
    arn = registry.register(group, "two", "PendingManualApproval")

    registry.sagemaker.update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="AUC above the gate"
    )
    described = registry.sagemaker.describe_model_package(ModelPackageName=arn)
    assert described["ModelApprovalStatus"] == "Approved"
    assert described["ApprovalDescription"] == "AUC above the gate"
    assert described["CustomerMetadataProperties"] == {"model": "two", "validation_auc": "0.91"}
    assert "LastModifiedTime" in described

    registry.sagemaker.update_model_package(
        ModelPackageArn=arn,
        CustomerMetadataProperties={"deployed_to": "churn-endpoint"},
        CustomerMetadataPropertiesToRemove=["validation_auc", "never-set"],
    )
    described = registry.sagemaker.describe_model_package(ModelPackageName=arn)
    assert described["CustomerMetadataProperties"] == {"model": "two", "deployed_to": "churn-endpoint"}
    assert (described["ModelApprovalStatus"], described["ApprovalDescription"]) == (
        "Approved",
        "AUC above the gate",
    )

    registry.sagemaker.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Rejected")
    assert (
        registry.sagemaker.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"] == "Rejected"
    )


def test_only_an_approved_version_in_this_region_makes_a_model(registry: Registry) -> None:
    group = registry.group()
    pending = registry.register(group, "one", "PendingManualApproval")
    rejected = registry.register(group, "one", "Rejected")
    for arn, status in ((pending, "PendingManualApproval"), (rejected, "Rejected")):
        with pytest.raises(ClientError) as refused:
            registry.sagemaker.create_model(
                ModelName=f"m-{uuid.uuid4().hex[:8]}",
                ExecutionRoleArn=registry.role_arn,
                PrimaryContainer={"ModelPackageName": arn},
            )
        code, message = _error(refused)
        assert code == "ValidationException"
        assert f"{arn} has ModelApprovalStatus {status}" in message and "must be Approved" in message

    with pytest.raises(ClientError) as missing:
        registry.sagemaker.create_model(
            ModelName=f"m-{uuid.uuid4().hex[:8]}",
            ExecutionRoleArn=registry.role_arn,
            Containers=[{"ModelPackageName": f"{SM}:model-package/{group}/9"}],
        )
    assert _error(missing) == (
        "ValidationException",
        f"Model package {SM}:model-package/{group}/9 does not exist.",
    )

    with pytest.raises(ClientError) as elsewhere:
        registry.sagemaker.create_model(
            ModelName=f"m-{uuid.uuid4().hex[:8]}",
            ExecutionRoleArn=registry.role_arn,
            PrimaryContainer={"ModelPackageName": pending.replace(config.REGION, "eu-west-1")},
        )
    assert _error(elsewhere) == (
        "ValidationException",
        f"ARN should be scoped to correct region: {config.REGION}",
    )

    # Once approved, the same version makes a model.
    registry.sagemaker.update_model_package(ModelPackageArn=pending, ModelApprovalStatus="Approved")
    name = f"m-{uuid.uuid4().hex[:8]}"
    registry.sagemaker.create_model(
        ModelName=name, ExecutionRoleArn=registry.role_arn, PrimaryContainer={"ModelPackageName": pending}
    )
    assert registry.sagemaker.describe_model(ModelName=name)["PrimaryContainer"] == {
        "ModelPackageName": pending
    }


def test_an_endpoint_serves_the_approved_versions_model(registry: Registry) -> None:
    group = registry.group()
    one = registry.register(group, "one", "Approved")
    two = registry.register(group, "two", "PendingManualApproval")
    endpoint = f"registry-{uuid.uuid4().hex[:8]}"
    blue = registry.serve(f"{endpoint}-v1", {"ModelPackageName": one})
    registry.sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=blue)
    try:
        assert registry.wait(endpoint)["EndpointStatus"] == "InService"
        assert registry.predict(endpoint) == pytest.approx(registry.expected("one"), abs=1e-6)

        # Version 2 approved, then rolled out by UpdateEndpoint (the `<group>/<version>` name works too).
        registry.sagemaker.update_model_package(ModelPackageArn=two, ModelApprovalStatus="Approved")
        green = registry.serve(f"{endpoint}-v2", {"ModelPackageName": f"{group}/2"})
        registry.sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=green)
        time.sleep(0.2)
        described = registry.wait(endpoint)
        assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", green)
        assert "FailureReason" not in described
        assert registry.predict(endpoint) == pytest.approx(registry.expected("two"), abs=1e-6)
        assert registry.expected("one") != pytest.approx(registry.expected("two"), abs=1e-6)
    finally:
        registry.sagemaker.delete_endpoint(EndpointName=endpoint)


def test_a_burst_of_registrations_gets_distinct_increasing_versions(registry: Registry) -> None:
    group = registry.group()
    clients = [registry.aws("sagemaker") for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        arns = list(
            pool.map(lambda client: registry.register(group, "one", "Approved", client=client), clients)
        )

    assert sorted(int(arn.rsplit("/", 1)[1]) for arn in arns) == list(range(1, 9))
    summaries = registry.sagemaker.list_model_packages(ModelPackageGroupName=group, MaxResults=100)
    listed = [s["ModelPackageVersion"] for s in summaries["ModelPackageSummaryList"]]
    assert listed == list(range(1, 9))  # creation order is version order
    assert registry.register(group, "two", "Approved").endswith("/9")


def test_registrations_racing_in_the_backend_never_share_a_version(local_cloud: LocalCloud) -> None:
    # moto's own numbering, with thousands of packages to scan and threads switching every microsecond,
    # gave two threads the same version (and crashed others iterating the dict another one changed).
    from moto.sagemaker.models import SageMakerModelBackend

    backend = SageMakerModelBackend(config.REGION, config.ACCOUNT_ID)  # patched class, private state
    request: dict[str, Any] = dict.fromkeys(
        [
            "model_package_name",
            "model_package_description",
            "inference_specification",
            "validation_specification",
            "source_algorithm_specification",
            "tags",
            "metadata_properties",
            "model_metrics",
            "client_token",
            "customer_metadata_properties",
            "drift_check_baselines",
            "domain",
            "task",
            "sample_payload_url",
            "additional_inference_specifications",
        ]
    )
    request.update(certify_for_marketplace=False, model_approval_status="Approved")
    for group in ("other", "burst"):
        backend.create_model_package_group(group, "")
    for _ in range(2000):
        backend.create_model_package(model_package_group_name="other", **request)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            arns = list(
                pool.map(
                    lambda _: backend.create_model_package(model_package_group_name="burst", **request),
                    range(16),
                )
            )
    finally:
        sys.setswitchinterval(interval)
    assert sorted(int(arn.rsplit("/", 1)[1]) for arn in arns) == list(range(1, 17))


def test_a_role_registers_and_deploys_with_access_to_the_groups_packages(
    registry: Registry, aws: Callable[[str], Any]
) -> None:
    group = registry.group()
    packages = f"{SM}:model-package/{group}/*"
    statements = [
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateModelPackage",
                "sagemaker:DescribeModelPackage",
                "sagemaker:ListModelPackages",
                "sagemaker:UpdateModelPackage",
            ],
            "Resource": packages,
        },
        {
            "Effect": "Allow",
            "Action": "sagemaker:DescribeModelPackageGroup",
            "Resource": f"{SM}:model-package-group/{group}",
        },
        {"Effect": "Allow", "Action": "sagemaker:CreateModel", "Resource": f"{SM}:model/{group}-*"},
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": registry.role_arn,
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        },
    ]
    sagemaker = service_role_session(aws("iam"), "states.amazonaws.com", "registry", statements).client(
        "sagemaker"
    )

    arn = registry.register(group, "one", "PendingManualApproval", client=sagemaker)
    assert (
        sagemaker.describe_model_package_group(ModelPackageGroupName=group)["ModelPackageGroupName"] == group
    )
    assert (
        sagemaker.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"][0][
            "ModelPackageArn"
        ]
        == arn
    )
    sagemaker.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    assert sagemaker.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"] == "Approved"
    sagemaker.create_model(
        ModelName=f"{group}-v1",
        ExecutionRoleArn=registry.role_arn,
        PrimaryContainer={"ModelPackageName": arn},
    )

    # Access to the group's ARN alone does not let a role register versions in it.
    other = registry.group()
    with pytest.raises(ClientError) as denied:
        registry.register(other, "one", "Approved", client=sagemaker)
    code, message = _error(denied)
    assert code == "AccessDeniedException"
    assert f'sagemaker:CreateModelPackage on resource: "{SM}:model-package/{other}/*"' in message


def test_a_state_machine_registers_a_version_and_makes_a_model_of_it(
    registry: Registry, role_arn: str, wait_for: Callable[..., dict]
) -> None:
    group = registry.group()
    name = f"{group}-sfn"

    def register(status: str) -> dict[str, Any]:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sagemaker:createModelPackage",
            "Parameters": {
                "ModelPackageGroupName": group,
                "ModelPackageDescription": "registered by the pipeline",
                "InferenceSpecification": {
                    "Containers": [
                        {"Image": IMAGE, "ModelDataUrl": f"s3://{BUCKET}/models/one/model.tar.gz"}
                    ],
                    "SupportedContentTypes": ["text/csv"],
                    "SupportedResponseMIMETypes": ["text/csv"],
                },
                "CustomerMetadataProperties": {"run_id.$": "$$.Execution.Name"},
                "ModelApprovalStatus": status,
            },
            "ResultPath": f"$.{status}",
        }

    definition = {
        "StartAt": "RegisterApproved",
        "States": {
            "RegisterApproved": {**register("Approved"), "Next": "Model"},
            "Model": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createModel",
                "Parameters": {
                    "ModelName": name,
                    "ExecutionRoleArn": role_arn,
                    "PrimaryContainer": {"ModelPackageName.$": "$.Approved.ModelPackageArn"},
                },
                "ResultPath": "$.model",
                "Next": "RegisterRejected",
            },
            "RegisterRejected": {**register("Rejected"), "Next": "ModelOfRejected"},
            "ModelOfRejected": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createModel",
                "Parameters": {
                    "ModelName": f"{name}-rejected",
                    "ExecutionRoleArn": role_arn,
                    "PrimaryContainer": {"ModelPackageName.$": "$.Rejected.ModelPackageArn"},
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.refused", "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    sfn = registry.aws("stepfunctions")
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=role_arn)
    execution_arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="run-1")[
        "executionArn"
    ]
    execution = wait_for(
        lambda: sfn.describe_execution(executionArn=execution_arn), lambda d: d["status"] != "RUNNING"
    )
    assert execution["status"] == "SUCCEEDED", execution
    output = json.loads(execution["output"])
    assert output["Approved"]["ModelPackageArn"] == f"{SM}:model-package/{group}/1"
    assert output["Rejected"]["ModelPackageArn"] == f"{SM}:model-package/{group}/2"
    assert output["model"]["ModelArn"] == f"{SM}:model/{name}"
    assert output["refused"]["Error"] == "SageMaker.AmazonSageMakerException"
    assert "must be Approved" in output["refused"]["Cause"]
    described = registry.sagemaker.describe_model_package(
        ModelPackageName=output["Approved"]["ModelPackageArn"]
    )
    assert described["CustomerMetadataProperties"] == {"run_id": "run-1"}


def test_the_same_client_token_returns_the_version_it_created(registry: Registry) -> None:
    group = registry.group()
    first = registry.register(group, "one", "Approved", ClientToken="5f0c7a3e9b1d4c2a8e6f0b7d3c1a9e5f")
    again = registry.register(group, "one", "Approved", ClientToken="5f0c7a3e9b1d4c2a8e6f0b7d3c1a9e5f")
    other = registry.register(group, "one", "Approved", ClientToken="0" * 32)
    assert first == again and first.endswith("/1")
    assert other.endswith("/2")


def test_a_group_is_deleted_only_after_its_versions_and_numbers_are_never_reused(registry: Registry) -> None:
    group = registry.group()
    first = registry.register(group, "one", "Approved")
    second = registry.register(group, "two", "Rejected")
    with pytest.raises(ClientError) as refused:
        registry.sagemaker.delete_model_package_group(ModelPackageGroupName=group)
    assert _error(refused)[0] == "ConflictException"
    assert "still has 2 model package version(s) (1, 2)" in _error(refused)[1]

    registry.sagemaker.delete_model_package(ModelPackageName=second)
    assert registry.register(group, "two", "Approved").endswith("/3")  # 2 is not given again
    for page in registry.sagemaker.get_paginator("list_model_packages").paginate(ModelPackageGroupName=group):
        for package in page["ModelPackageSummaryList"]:
            registry.sagemaker.delete_model_package(ModelPackageName=package["ModelPackageArn"])
    registry.sagemaker.delete_model_package_group(ModelPackageGroupName=group)
    with pytest.raises(ClientError):
        registry.sagemaker.describe_model_package(ModelPackageName=first)
    groups = registry.sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"]
    assert group not in [summary["ModelPackageGroupName"] for summary in groups]
