"""Scheduled retraining: the newest object under the input prefix, named and deduplicated as an upload."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from trigger.config import Config
from trigger.events import EventError
from trigger.process import process_event
from trigger.retraining import newest_candidate, retrain_request
from trigger_test_support import INPUT_PREFIX, PIPELINE_BUCKET, executions, make_bucket

TICK = {
    "retrain": {
        "schedule_arn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/churn-xgboost-retrain",
        "scheduled_time": "2026-11-28T06:00:00Z",
    }
}
NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def _listed(key: str, minutes_ago: int, size: int = 10) -> dict[str, Any]:
    return {"Key": key, "LastModified": NOW - timedelta(minutes=minutes_ago), "Size": size}


def test_the_newest_data_file_is_chosen_and_markers_and_empty_objects_are_not() -> None:
    listed = [
        _listed("input/old.csv", 60),
        _listed("input/new.csv", 5),
        _listed("input/folder/", 1, size=0),
        _listed("input/empty.csv", 2, size=0),
        _listed("other/newest.csv", 0),
    ]
    assert newest_candidate(listed, INPUT_PREFIX)["Key"] == "input/new.csv"
    assert newest_candidate([_listed("input/folder/", 1, size=0)], INPUT_PREFIX) is None


def test_a_bad_schedule_input_is_refused_by_name() -> None:
    with pytest.raises(EventError, match="retrain_unchanged"):
        retrain_request({"retrain": {"retrain_unchanged": "yes"}})
    with pytest.raises(EventError, match=r"event\.retrain"):
        retrain_request({"retrain": "now"})


def _tick(config: Config, stepfunctions: Any, s3: Any, **changes: Any) -> dict[str, Any]:
    event = json.loads(json.dumps(TICK))
    event["retrain"].update(changes)
    return process_event(event, config=config, stepfunctions=stepfunctions, s3=lambda: s3)


def test_a_tick_runs_on_the_newest_upload_once_and_then_reports_no_new_data(
    config: Config, stepfunctions: Any, s3: Any
) -> None:
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="input/churn.csv", Body=b"1,2,3\n")

    first = _tick(config, stepfunctions, s3)
    again = _tick(config, stepfunctions, s3, scheduled_time="2026-11-29T06:00:00Z")

    assert first["retrain"] == "started"
    assert again["retrain"] == "no_new_data"
    (run,) = executions(stepfunctions, config.state_machine_arn)
    assert run["input"]["source"]["key"] == "input/churn.csv"
    assert run["input"]["started_by"]["kind"] == "schedule"
    assert run["input"]["source"]["version_id"] is not None


def test_new_data_after_a_tick_is_trained_on_at_the_next_tick(
    config: Config, stepfunctions: Any, s3: Any
) -> None:
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="input/churn.csv", Body=b"1,2,3\n")
    _tick(config, stepfunctions, s3)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="input/churn.csv", Body=b"1,2,3\n4,5,6\n")
    assert _tick(config, stepfunctions, s3)["retrain"] == "started"
    assert len(executions(stepfunctions, config.state_machine_arn)) == 2


def test_retraining_unchanged_data_must_be_asked_for_and_names_each_tick(
    config: Config, stepfunctions: Any, s3: Any
) -> None:
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="input/churn.csv", Body=b"1,2,3\n")
    _tick(config, stepfunctions, s3)
    forced = _tick(config, stepfunctions, s3, retrain_unchanged=True, scheduled_time="2026-11-29T06:00:00Z")
    assert forced["retrain"] == "started"
    names = {run["name"] for run in executions(stepfunctions, config.state_machine_arn)}
    assert len(names) == 2


def test_a_tick_with_no_data_starts_nothing(config: Config, stepfunctions: Any, s3: Any) -> None:
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="input/", Body=b"")
    assert _tick(config, stepfunctions, s3)["retrain"] == "no_data"
    assert executions(stepfunctions, config.state_machine_arn) == []
