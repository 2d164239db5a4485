"""The CloudWatch metrics EventBridge publishes per rule, written to moto's CloudWatch.

Namespace `AWS/Events`, dimension `RuleName` ("Monitoring Amazon EventBridge"): `TriggeredRules` (the rule
matched an event), `Invocations` (a target was invoked, successfully or not, counted once its delivery is
final), `FailedInvocations` (the invocation failed permanently), `InvocationsSentToDLQ` and
`InvocationsFailedToBeSentToDLQ`. Publishing never raises: a metric must not stop a delivery.
"""

from __future__ import annotations

import logging

NAMESPACE = "AWS/Events"
TRIGGERED_RULES = "TriggeredRules"
INVOCATIONS = "Invocations"
FAILED_INVOCATIONS = "FailedInvocations"
SENT_TO_DLQ = "InvocationsSentToDLQ"
FAILED_TO_BE_SENT_TO_DLQ = "InvocationsFailedToBeSentToDLQ"

LOG = logging.getLogger(__name__)


def count(account_id: str, region: str, rule_name: str, *metric_names: str) -> None:
    """Add 1 (unit `Count`) to each named metric of the rule."""
    try:
        from moto.cloudwatch.models import cloudwatch_backends

        data = [
            {
                "MetricName": name,
                "Dimensions": [{"Name": "RuleName", "Value": rule_name}],
                "Value": 1.0,
                "Unit": "Count",
            }
            for name in metric_names
        ]
        cloudwatch_backends[account_id][region].put_metric_data(NAMESPACE, data)
    except Exception:  # a metric must never break the delivery it describes
        LOG.exception("could not publish EventBridge metrics for rule %s", rule_name)
