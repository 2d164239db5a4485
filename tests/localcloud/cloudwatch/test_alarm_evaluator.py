"""Alarms evaluated in the local cloud: boto3 PutMetricAlarm + PutMetricData, then the states moto keeps,
DescribeAlarms and DescribeAlarmHistory show; the background evaluator; the CloudWatch API patches."""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.cloudwatch.models import CloudWatchBackend, cloudwatch_backends

from localcloud import config
from localcloud.cloudwatch import alarm_evaluator
from localcloud.cloudwatch.alarm_evaluation import ALARM, INSUFFICIENT_DATA, OK
from localcloud.sagemaker import invocation_metrics
from localcloud.server import LocalCloud

NAMESPACE = "AWS/SageMaker"


@pytest.fixture
def cloudwatch(aws: Callable[[str], Any]) -> Any:
    return aws("cloudwatch")


@pytest.fixture
def backend(local_cloud: LocalCloud) -> CloudWatchBackend:
    return cloudwatch_backends[config.ACCOUNT_ID][config.REGION]


@pytest.fixture
def no_background_evaluation(local_cloud: LocalCloud) -> Iterator[None]:
    """Stop the local cloud's evaluator thread for one test, so only what the test calls evaluates."""
    alarm_evaluator.stop()
    try:
        yield
    finally:
        alarm_evaluator.start()


def _dimensions(endpoint: str) -> list[dict[str, str]]:
    return [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}]


def _put_error_alarm(cloudwatch: Any, name: str, endpoint: str, **overrides: Any) -> None:
    """The kind of rollback alarm a deployment guardrail watches: any 5xx in the last minute."""
    request: dict[str, Any] = {
        "AlarmName": name,
        "Namespace": NAMESPACE,
        "MetricName": "Invocation5XXErrors",
        "Dimensions": _dimensions(endpoint),
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": 0.01,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }
    request.update(overrides)
    cloudwatch.put_metric_alarm(**request)


def _put_errors(
    cloudwatch: Any, endpoint: str, *values: float, dimensions: list[dict[str, str]] | None = None
) -> None:
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "Invocation5XXErrors",
                "Dimensions": dimensions or _dimensions(endpoint),
                "Value": value,
            }
            for value in values
        ],
    )


def _described(cloudwatch: Any, name: str) -> dict[str, Any]:
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return alarm


def test_evaluate_alarms_puts_a_breaching_alarm_in_alarm(
    cloudwatch: Any, backend: CloudWatchBackend, unique_name: str
) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name)
    _put_errors(cloudwatch, unique_name, 0.0, 1.0)  # one 5xx in two invocations: Average 0.5

    states = alarm_evaluator.evaluate_alarms(config.ACCOUNT_ID, config.REGION, [unique_name])

    assert states == {unique_name: ALARM}
    stored = backend.alarms[unique_name]
    assert stored.state_value == ALARM
    described = _described(cloudwatch, unique_name)
    assert described["StateValue"] == ALARM
    assert described["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [0.5 (")
    assert described["StateReason"].endswith(
        ")] was greater than the threshold (0.01) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    data = json.loads(described["StateReasonData"])
    assert (data["version"], data["statistic"], data["period"], data["threshold"]) == (
        "1.0",
        "Average",
        60,
        0.01,
    )
    assert data["recentDatapoints"] == [0.5]
    assert [(point["sampleCount"], point["value"]) for point in data["evaluatedDatapoints"]] == [(2.0, 0.5)]
    assert described["StateTransitionedTimestamp"] == described["StateUpdatedTimestamp"]


def test_a_new_alarm_without_data_is_insufficient_data(cloudwatch: Any, unique_name: str) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name, TreatMissingData="missing")
    described = _described(cloudwatch, unique_name)
    assert described["StateValue"] == INSUFFICIENT_DATA
    assert described["StateReason"] in (
        "Unchecked: Initial alarm creation",
        "Insufficient Data: 1 datapoint was unknown.",
    )


def test_good_data_is_ok_and_only_the_exact_dimension_set_counts(cloudwatch: Any, unique_name: str) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name, TreatMissingData="missing")
    # Breaching data under another variant, and with one dimension more: other metrics.
    _put_errors(cloudwatch, unique_name, 1.0, dimensions=[{"Name": "EndpointName", "Value": unique_name}])
    _put_errors(
        cloudwatch, unique_name, 1.0, dimensions=[*_dimensions(unique_name), {"Name": "Extra", "Value": "x"}]
    )
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name]) == {unique_name: INSUFFICIENT_DATA}

    _put_errors(cloudwatch, unique_name, 0.0)
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name]) == {unique_name: OK}
    assert _described(cloudwatch, unique_name)["StateReason"].endswith(
        "was not greater than the threshold (0.01) (minimum 1 datapoint for ALARM -> OK transition)."
    )


def test_an_alarm_with_a_unit_sees_only_data_of_that_unit(cloudwatch: Any, unique_name: str) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name, Unit="Count")
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "Invocation5XXErrors",
                "Dimensions": _dimensions(unique_name),
                "Value": 1.0,
                "Unit": "None",
            }
        ],
    )
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name]) == {unique_name: OK}  # notBreaching
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "Invocation5XXErrors",
                "Dimensions": _dimensions(unique_name),
                "Value": 1.0,
                "Unit": "Count",
            }
        ],
    )
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name]) == {unique_name: ALARM}
    assert json.loads(_described(cloudwatch, unique_name)["StateReasonData"])["unit"] == "Count"


def test_sagemaker_invocation_metrics_trip_a_rollback_alarm(cloudwatch: Any, unique_name: str) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name)
    invocation_metrics.publish(config.ACCOUNT_ID, config.REGION, unique_name, "AllTraffic", 200, 900, 100)
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name]) == {unique_name: OK}
    invocation_metrics.publish(config.ACCOUNT_ID, config.REGION, unique_name, "AllTraffic", 500, 900, 100)
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name]) == {unique_name: ALARM}


def test_the_window_slides_past_old_data(
    cloudwatch: Any, backend: CloudWatchBackend, unique_name: str
) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name)
    _put_errors(cloudwatch, unique_name, 1.0)
    now = datetime.now(UTC)
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name], now=now, time_scale=1) == {
        unique_name: ALARM
    }
    later = now + timedelta(seconds=61)
    with alarm_evaluator.ALARM_STATE_LOCK:  # read before an evaluation at the real time puts it back
        assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name], now=later, time_scale=1) == {
            unique_name: OK
        }
        reason = backend.alarms[unique_name].state_reason
    assert reason == (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as "
        "[NonBreaching]."
    )


def test_an_alarm_stays_in_alarm_until_cloudwatch_would_evaluate_it_again(
    cloudwatch: Any, backend: CloudWatchBackend, unique_name: str, no_background_evaluation: None
) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name)
    _put_errors(cloudwatch, unique_name, 1.0)
    tripped = datetime.now(UTC) + timedelta(seconds=55)  # the error is still in the 60 s window
    with alarm_evaluator.ALARM_STATE_LOCK:
        in_real_time = functools.partial(
            alarm_evaluator.evaluate_alarms, alarm_names=[unique_name], time_scale=1
        )
        assert in_real_time(now=tripped) == {unique_name: ALARM}
        # 30 s later the window holds no error any more, but CloudWatch evaluates once a minute.
        assert in_real_time(now=tripped + timedelta(seconds=30)) == {unique_name: ALARM}
        assert in_real_time(now=tripped + timedelta(seconds=61)) == {unique_name: OK}


def test_on_the_rollout_clock_a_period_holds_seconds_of_real_time(
    cloudwatch: Any, backend: CloudWatchBackend, unique_name: str, no_background_evaluation: None
) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name)
    _put_errors(cloudwatch, unique_name, 1.0)
    put = datetime.now(UTC)
    with alarm_evaluator.ALARM_STATE_LOCK:
        at_60x = functools.partial(alarm_evaluator.evaluate_alarms, alarm_names=[unique_name], time_scale=60)
        # 0.9 real seconds are 54 s of a 60x clock: still in the 60 s period.
        assert at_60x(now=put + timedelta(seconds=0.9)) == {unique_name: ALARM}
        reason_data = json.loads(backend.alarms[unique_name].state_reason_data)
        assert reason_data["period"] == 60  # the alarm's own period, not a real-time one
        # An ALARM lasts a minute of that clock, but at least 10 real seconds.
        assert alarm_evaluator.minimum_alarm_seconds(60) == alarm_evaluator.MINIMUM_ALARM_FLOOR_SECONDS == 10
        assert at_60x(now=put + timedelta(seconds=9)) == {unique_name: ALARM}
        assert at_60x(now=put + timedelta(seconds=11)) == {unique_name: OK}
        # In real time the error would be in the window for a minute.
        assert alarm_evaluator.evaluate_alarms(
            alarm_names=[unique_name], now=put + timedelta(seconds=12), time_scale=1
        ) == {unique_name: ALARM}
    assert alarm_evaluator.minimum_alarm_seconds(2) == 30


def test_describe_alarms_evaluates_first(
    cloudwatch: Any, unique_name: str, no_background_evaluation: None
) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name)
    _put_errors(cloudwatch, unique_name, 1.0)
    assert _described(cloudwatch, unique_name)["StateValue"] == ALARM
    [by_metric] = [
        alarm
        for alarm in cloudwatch.describe_alarms_for_metric(
            Namespace=NAMESPACE, MetricName="Invocation5XXErrors"
        )["MetricAlarms"]
        if alarm["AlarmName"] == unique_name
    ]
    assert by_metric["StateValue"] == ALARM


def test_the_background_evaluator_changes_states(
    cloudwatch: Any, backend: CloudWatchBackend, unique_name: str
) -> None:
    assert alarm_evaluator.is_running()  # started with the local cloud
    _put_error_alarm(cloudwatch, unique_name, unique_name)
    deadline = time.monotonic() + 30
    # Errors keep coming, as from a broken canary: at 60x a period is one real second, and a pass delayed past
    # it on a loaded machine (CI runs three workers on two cores) would find a single datum out of its window.
    while backend.alarms[unique_name].state_value != ALARM:  # moto's object, not DescribeAlarms
        assert time.monotonic() < deadline, backend.alarms[unique_name].state_reason
        _put_errors(cloudwatch, unique_name, 1.0)
        time.sleep(0.1)


def test_start_and_stop(local_cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        alarm_evaluator.stop()
        assert not alarm_evaluator.is_running()
        alarm_evaluator.stop()  # stopping twice is fine
        monkeypatch.setenv(alarm_evaluator.INTERVAL_ENV_VAR, "0")
        assert alarm_evaluator.start() is False
        assert not alarm_evaluator.is_running()
        monkeypatch.setenv(alarm_evaluator.INTERVAL_ENV_VAR, "0.05")
        assert alarm_evaluator.start() is True
        assert alarm_evaluator.is_running()
        assert alarm_evaluator.start(5) is True  # keeps the running thread
    finally:
        alarm_evaluator.stop()
        monkeypatch.delenv(alarm_evaluator.INTERVAL_ENV_VAR)
        alarm_evaluator.start()
    assert alarm_evaluator.is_running()


def test_updating_an_alarm_keeps_its_state(backend: CloudWatchBackend, unique_name: str) -> None:
    fields: dict[str, Any] = {
        "namespace": NAMESPACE,
        "metric_name": "Invocation5XXErrors",
        "comparison_operator": "GreaterThanThreshold",
        "evaluation_periods": 1,
        "period": 60,
        "threshold": 0.5,
        "statistic": "Average",
        "description": "",
        "dimensions": _dimensions(unique_name),
        "alarm_actions": [],
    }
    with alarm_evaluator.ALARM_STATE_LOCK:  # no evaluation in between
        created = backend.put_metric_alarm(unique_name, **fields)
        assert (created.state_value, created.state_reason) == (
            INSUFFICIENT_DATA,
            "Unchecked: Initial alarm creation",
        )
        created.update_state("set by the test", "{}", ALARM)
        updated = backend.put_metric_alarm(unique_name, **{**fields, "threshold": 0.9})
        assert updated is not created
        assert (updated.state_value, updated.state_reason, updated.threshold) == (
            ALARM,
            "set by the test",
            0.9,
        )
        assert updated.history == created.history != []


def test_set_alarm_state_is_kept_until_the_hold_ends(cloudwatch: Any, unique_name: str) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name)
    assert _described(cloudwatch, unique_name)["StateValue"] == OK
    cloudwatch.set_alarm_state(AlarmName=unique_name, StateValue=ALARM, StateReason="testing the rollback")
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name]) == {unique_name: ALARM}
    described = _described(cloudwatch, unique_name)
    assert (described["StateValue"], described["StateReason"]) == (ALARM, "testing the rollback")

    after_hold = datetime.now(UTC) + timedelta(seconds=alarm_evaluator.DEFAULT_SET_STATE_HOLD_SECONDS + 1)
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name], now=after_hold) == {unique_name: OK}


def test_describe_alarm_history_shows_the_transitions(cloudwatch: Any, unique_name: str) -> None:
    _put_error_alarm(cloudwatch, unique_name, unique_name, TreatMissingData="missing")
    alarm_evaluator.evaluate_alarms(alarm_names=[unique_name])  # no data: stays INSUFFICIENT_DATA
    _put_errors(cloudwatch, unique_name, 1.0)
    alarm_evaluator.evaluate_alarms(alarm_names=[unique_name])
    cloudwatch.set_alarm_state(AlarmName=unique_name, StateValue=OK, StateReason="by hand")

    items = cloudwatch.describe_alarm_history(AlarmName=unique_name)["AlarmHistoryItems"]

    assert [item["HistorySummary"] for item in items] == [
        "Alarm updated from ALARM to OK",
        "Alarm updated from INSUFFICIENT_DATA to ALARM",
    ]
    assert {(item["AlarmName"], item["AlarmType"], item["HistoryItemType"]) for item in items} == {
        (unique_name, "MetricAlarm", "StateUpdate")
    }
    to_alarm = json.loads(items[1]["HistoryData"])
    assert to_alarm["version"] == "1.0"
    assert to_alarm["oldState"]["stateValue"] == INSUFFICIENT_DATA
    assert to_alarm["newState"]["stateValue"] == ALARM
    assert to_alarm["newState"]["stateReason"].startswith(
        "Threshold Crossed: 1 out of the last 1 datapoints [1.0"
    )
    assert to_alarm["newState"]["stateReasonData"]["recentDatapoints"] == [1.0]

    oldest_first = cloudwatch.describe_alarm_history(AlarmName=unique_name, ScanBy="TimestampAscending")
    assert [item["HistorySummary"] for item in oldest_first["AlarmHistoryItems"]] == [
        "Alarm updated from INSUFFICIENT_DATA to ALARM",
        "Alarm updated from ALARM to OK",
    ]
    first_page = cloudwatch.describe_alarm_history(AlarmName=unique_name, MaxRecords=1)
    assert len(first_page["AlarmHistoryItems"]) == 1
    second_page = cloudwatch.describe_alarm_history(
        AlarmName=unique_name, MaxRecords=1, NextToken=first_page["NextToken"]
    )
    assert (
        second_page["AlarmHistoryItems"][0]["HistorySummary"]
        == "Alarm updated from INSUFFICIENT_DATA to ALARM"
    )
    assert "NextToken" not in second_page
    configuration = cloudwatch.describe_alarm_history(
        AlarmName=unique_name, HistoryItemType="ConfigurationUpdate"
    )
    assert configuration["AlarmHistoryItems"] == []
    future = cloudwatch.describe_alarm_history(
        AlarmName=unique_name, StartDate=datetime.now(UTC) + timedelta(hours=1)
    )
    assert future["AlarmHistoryItems"] == []


def test_what_is_not_emulated_is_marked_once_and_then_left_alone(cloudwatch: Any, unique_name: str) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=unique_name,
        Metrics=[
            {"Id": "e1", "Expression": "m1 * 2", "ReturnData": True},
            {
                "Id": "m1",
                "MetricStat": {
                    "Metric": {"Namespace": NAMESPACE, "MetricName": "Invocation5XXErrors"},
                    "Period": 60,
                    "Stat": "Sum",
                },
                "ReturnData": False,
            },
        ],
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    described = _described(cloudwatch, unique_name)
    assert described["StateValue"] == INSUFFICIENT_DATA
    assert described["StateReason"] == (
        "Unchecked: metric math and multi-metric alarms (Metrics) are not emulated by the local cloud."
    )
    cloudwatch.set_alarm_state(AlarmName=unique_name, StateValue=ALARM, StateReason="forced")
    much_later = datetime.now(UTC) + timedelta(hours=1)
    assert alarm_evaluator.evaluate_alarms(alarm_names=[unique_name], now=much_later) == {unique_name: ALARM}


def test_one_bad_alarm_does_not_stop_the_others(
    cloudwatch: Any, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    bad, good = f"{unique_name}-bad", f"{unique_name}-good"
    # moto accepts DatapointsToAlarm > EvaluationPeriods; CloudWatch cannot evaluate it.
    _put_error_alarm(cloudwatch, bad, unique_name, DatapointsToAlarm=5)
    _put_error_alarm(cloudwatch, good, unique_name)
    _put_errors(cloudwatch, unique_name, 1.0)

    with caplog.at_level(logging.ERROR, logger=alarm_evaluator.__name__):
        states = alarm_evaluator.evaluate_alarms(alarm_names=[bad, good])

    assert states == {bad: INSUFFICIENT_DATA, good: ALARM}
    assert f"could not evaluate CloudWatch alarm {bad}" in caplog.text
    error = alarm_evaluator.evaluation_errors()[(config.ACCOUNT_ID, config.REGION, bad)]
    assert "DatapointsToAlarm must be between 1 and EvaluationPeriods (1), not 5" in error
    assert _described(cloudwatch, good)["StateValue"] == ALARM  # DescribeAlarms still answers

    _put_error_alarm(cloudwatch, bad, unique_name)  # fixed
    assert alarm_evaluator.evaluate_alarms(alarm_names=[bad]) == {bad: ALARM}
    assert (config.ACCOUNT_ID, config.REGION, bad) not in alarm_evaluator.evaluation_errors()
