"""What the endpoint does with a version, from its status and the packages of its current and pending
configurations."""

from __future__ import annotations

import pytest

from pipeline_cli.serving import Role, Serving, role_of, same_package

SEVEN = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-xgboost/7"
EIGHT = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-xgboost/8"


def _serving(status: str | None, current: str | None = SEVEN, pending: str | None = None) -> Serving:
    return Serving(
        endpoint_name="churn-xgboost-endpoint", status=status, current_arn=current, pending_arn=pending
    )


@pytest.mark.parametrize(
    ("status", "role"),
    [
        ("InService", Role.SERVING),
        ("Updating", Role.SERVING),
        ("SystemUpdating", Role.SERVING),
        ("RollingBack", Role.SERVING),
        ("Creating", Role.DEPLOYING),
        ("Failed", Role.NOT_SERVING),
        ("OutOfService", Role.NOT_SERVING),
    ],
)
def test_the_current_configurations_version(status: str, role: Role) -> None:
    assert role_of(SEVEN, _serving(status)) is role


def test_the_pending_configurations_version_is_deploying() -> None:
    serving = _serving("Updating", pending=EIGHT)

    assert (role_of(SEVEN, serving), role_of(EIGHT, serving)) == (Role.SERVING, Role.DEPLOYING)


def test_other_versions_have_no_role() -> None:
    assert role_of(EIGHT, _serving("InService")) is None
    assert role_of(SEVEN, _serving(None, current=None)) is None
    # A model not created from the registry serves no version.
    assert role_of(SEVEN, _serving("InService", current=None)) is None


def test_a_package_named_with_the_groups_original_case_is_the_same_package() -> None:
    # SageMaker lowercases the group in the version's ARN; a model can name the package as typed.
    assert same_package(SEVEN, SEVEN.replace("churn-xgboost", "Churn-XGBoost"))
    assert not same_package(SEVEN, EIGHT)
    assert not same_package(None, None)
