"""The event pattern rules the local cloud relies on, as the EventBridge User Guide documents them
("Creating event patterns", "Content filtering", "Arrays", "Null values and empty strings"), matched by
moto's `EventPattern` with the local cloud's array fix (`localcloud/events/event_patterns.py`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from localcloud import patching
from localcloud.events import event_patterns

EVENT = {
    "version": "0",
    "id": "315c1398-40ff-a850-213b-158f73e60175",
    "detail-type": "Step Functions Execution Status Change",
    "source": "aws.states",
    "account": "123456789012",
    "time": "2019-02-26T19:42:21Z",
    "region": "us-east-1",
    "resources": ["arn:aws:states:us-east-1:123456789012:execution:churn-pipeline:run-1"],
    "detail": {
        "name": "run-1",
        "status": "FAILED",
        "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:churn-pipeline",
        "auc": 0.61,
        "output": None,
        "error": "",
        "tags": ["nightly", "churn"],
        "containers": [{"Image": "xgboost:1.7"}, {"Image": "sklearn:1.2"}],
        "empty": [],
    },
}


@pytest.fixture(scope="module", autouse=True)
def _array_fix() -> None:
    patching.apply(event_patterns.PATCHES)


def _matches(pattern: dict[str, Any], event: dict[str, Any] = EVENT) -> bool:
    return EventPattern.load(json.dumps(pattern)).matches_event(event)


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        # Exact values: any listed value; every field must match.
        ({"source": ["aws.states"], "detail": {"status": ["FAILED", "TIMED_OUT"]}}, True),
        ({"source": ["aws.states"], "detail": {"status": ["SUCCEEDED"]}}, False),
        ({"detail": {"status": ["failed"]}}, False),  # case-sensitive
        ({"detail": {"nothere": ["x"]}}, False),
        # Prefix and suffix
        ({"detail": {"stateMachineArn": [{"prefix": "arn:aws:states:us-east-1:"}]}}, True),
        ({"detail": {"stateMachineArn": [{"suffix": ":churn-pipeline"}]}}, True),
        ({"detail": {"stateMachineArn": [{"suffix": ":other"}]}}, False),
        ({"detail": {"status": [{"prefix": {"equals-ignore-case": "fail"}}]}}, True),
        # Anything-but: a value, a list, a prefix; a missing field never matches
        ({"detail": {"status": [{"anything-but": "SUCCEEDED"}]}}, True),
        ({"detail": {"status": [{"anything-but": ["FAILED", "ABORTED"]}]}}, False),
        ({"detail": {"status": [{"anything-but": {"prefix": "SUCC"}}]}}, True),
        ({"detail": {"nothere": [{"anything-but": "x"}]}}, False),
        # Numeric ranges
        ({"detail": {"auc": [{"numeric": ["<", 0.7]}]}}, True),
        ({"detail": {"auc": [{"numeric": [">=", 0.6, "<", 0.61]}]}}, False),
        ({"detail": {"auc": [{"numeric": ["=", 0.61]}]}}, True),
        # Exists; a null value exists, an empty array does not
        ({"detail": {"error": [{"exists": True}]}}, True),
        ({"detail": {"nothere": [{"exists": False}]}}, True),
        ({"detail": {"output": [{"exists": True}]}}, True),
        ({"detail": {"empty": [{"exists": True}]}}, False),
        ({"detail": {"empty": [{"exists": False}]}}, True),
        # Null and empty string are values to match
        ({"detail": {"output": [None]}}, True),
        ({"detail": {"error": [""]}}, True),
        ({"detail": {"error": [None]}}, False),
        # Wildcard
        ({"detail": {"name": [{"wildcard": "run-*"}]}}, True),
        ({"detail": {"stateMachineArn": [{"wildcard": "*:stateMachine:*-pipeline"}]}}, True),
        ({"detail": {"name": [{"wildcard": "job-*"}]}}, False),
        # Arrays: a field matches when any of its values does
        ({"detail": {"tags": ["churn"]}}, True),
        ({"detail": {"tags": ["weekly"]}}, False),
        ({"resources": [{"suffix": ":run-1"}]}, True),
        # Fields inside an array of objects (the local cloud's fix)
        ({"detail": {"containers": {"Image": [{"prefix": "sklearn:"}]}}}, True),
        ({"detail": {"containers": {"Image": ["pytorch:2"]}}}, False),
        # $or: any of the alternatives
        (
            {
                "source": ["aws.states"],
                "$or": [
                    {"detail": {"status": ["SUCCEEDED"]}},
                    {"detail": {"auc": [{"numeric": ["<", 0.7]}]}},
                ],
            },
            True,
        ),
        ({"$or": [{"detail": {"status": ["SUCCEEDED"]}}, {"detail-type": ["Other"]}]}, False),
    ],
)
def test_documented_matching(pattern: dict[str, Any], matches: bool) -> None:
    assert _matches(pattern) is matches


def test_model_package_rule_matches_the_approval_and_not_the_registration() -> None:
    """The pipeline's deploy rule: an unfiltered Model Package State Change pattern fires on registration."""
    pattern = {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {"ModelPackageGroupName": ["churn"], "ModelApprovalStatus": ["Approved"]},
    }
    registered = {
        "source": "aws.sagemaker",
        "detail-type": "SageMaker Model Package State Change",
        "detail": {"ModelPackageGroupName": "churn", "ModelApprovalStatus": "PendingManualApproval"},
    }
    approved = {**registered, "detail": {**registered["detail"], "ModelApprovalStatus": "Approved"}}
    other_group = {
        **registered,
        "detail": {"ModelPackageGroupName": "other", "ModelApprovalStatus": "Approved"},
    }
    assert not _matches(pattern, registered)
    assert _matches(pattern, approved)
    assert not _matches(pattern, other_group)


@pytest.mark.parametrize(
    ("status", "error", "matches"),
    [
        ("FAILED", "Churn.QualityGate", True),
        ("TIMED_OUT", None, True),
        ("ABORTED", None, True),
        ("FAILED", "EndpointUpdateRolledBack", False),
        ("SUCCEEDED", None, False),
        ("RUNNING", None, False),
    ],
)
def test_an_or_nested_in_detail(status: str, error: str | None, matches: bool) -> None:
    """The pipeline's run-failed rule: `$or` inside `detail`, with `anything-but` on the error."""
    pattern = {
        "source": ["aws.states"],
        "detail": {
            "stateMachineArn": [EVENT["detail"]["stateMachineArn"]],
            "$or": [
                {"status": ["TIMED_OUT", "ABORTED"]},
                {"status": ["FAILED"], "error": [{"anything-but": ["EndpointUpdateRolledBack"]}]},
            ],
        },
    }
    event = {**EVENT, "detail": {**EVENT["detail"], "status": status, "error": error}}
    assert _matches(pattern, event) is matches
