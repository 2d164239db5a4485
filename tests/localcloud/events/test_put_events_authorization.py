"""PutEvents is authorized per entry, on its bus, as the Service Authorization Reference defines
`events:PutEvents` (resource type `event-bus`, condition keys `events:source`, `events:detail-type`);
a state machine's `events:putEvents` task is checked this way (`test_stepfunctions_events.py` runs it)."""

from __future__ import annotations

from localcloud.iam import api_calls

REGION = "us-east-1"
ACCOUNT = "123456789012"
BUS = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus"


def _resources(entries: list[dict[str, str]]) -> list[tuple[str, tuple[str, ...]]]:
    calls = api_calls.json_api_calls(
        "events", "PutEvents", {"Entries": entries}, region=REGION, account=ACCOUNT
    )
    return [(call.action, call.resources) for call in calls]


def test_an_entry_without_a_bus_goes_to_the_default_bus() -> None:
    assert _resources([{"Source": "s", "DetailType": "d", "Detail": "{}"}]) == [
        ("events:PutEvents", (f"{BUS}/default",))
    ]


def test_each_entry_is_authorized_on_its_bus_once_per_source() -> None:
    entries = [
        {"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": "orders"},
        {"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": f"{BUS}/audit"},
        {"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": "orders"},
        {"Source": "s", "DetailType": "d", "Detail": "{}"},
    ]
    assert _resources(entries) == [
        ("events:PutEvents", (f"{BUS}/orders",)),
        ("events:PutEvents", (f"{BUS}/audit",)),
        ("events:PutEvents", (f"{BUS}/default",)),
    ]


def test_each_entry_carries_its_source_and_detail_type_as_condition_keys() -> None:
    calls = api_calls.json_api_calls(
        "events",
        "PutEvents",
        {
            "Entries": [
                {"Source": "mlops-pipeline.a", "DetailType": "Model Deployed", "Detail": "{}"},
                {"Source": "mlops-pipeline.b", "DetailType": "Model Deployed", "Detail": "{}"},
            ]
        },
        region=REGION,
        account=ACCOUNT,
    )
    assert [dict(call.context) for call in calls] == [
        {"events:source": "mlops-pipeline.a", "events:detail-type": "Model Deployed"},
        {"events:source": "mlops-pipeline.b", "events:detail-type": "Model Deployed"},
    ]
