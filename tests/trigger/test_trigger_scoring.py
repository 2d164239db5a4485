"""Batch scoring in the trigger: configuration, routing by prefix, names, run input, and the row counter."""

from __future__ import annotations

import dataclasses
import itertools
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from trigger.config import Config, ConfigError, load_config
from trigger.process import process_event
from trigger.record_count import count_line_records
from trigger.scoring_config import ScoringConfig
from trigger.scoring_rows import EmptyInput, SourceChanged, count_rows
from trigger_s3_events import record_for_upload, s3_event
from trigger_test_support import (
    INPUT_PREFIX,
    PASS_DEFINITION,
    PIPELINE_BUCKET,
    PIPELINE_NAME,
    RUN_OUTPUTS,
    RUNS_PREFIX,
    executions,
    log_lines,
    make_bucket,
)

SCORING_OUTPUTS = {"transform_input": "scoring/transform-input.manifest", "manifest": "manifest.json"}
BASE_ENVIRONMENT = {
    "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-pipeline",
    "PIPELINE_NAME": PIPELINE_NAME,
    "BUCKET_NAME": PIPELINE_BUCKET,
    "INPUT_PREFIX": INPUT_PREFIX,
    "RUNS_PREFIX": RUNS_PREFIX,
    "RUN_OUTPUTS": json.dumps(RUN_OUTPUTS),
}
SCORING_ENVIRONMENT = {
    "SCORING_PREFIX": "score/",
    "SCORING_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-scoring",
    "PREDICTIONS_PREFIX": "predictions/",
    "SCORING_OUTPUTS": json.dumps(SCORING_OUTPUTS),
}


def test_without_scoring_variables_there_is_no_scoring() -> None:
    assert load_config(BASE_ENVIRONMENT).scoring is None


def test_scoring_variables_are_read() -> None:
    config = load_config(BASE_ENVIRONMENT | SCORING_ENVIRONMENT)
    assert config.scoring == ScoringConfig(
        prefix="score/",
        state_machine_arn=SCORING_ENVIRONMENT["SCORING_STATE_MACHINE_ARN"],
        predictions_prefix="predictions/",
        outputs=SCORING_OUTPUTS,
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"SCORING_STATE_MACHINE_ARN": ""}, "SCORING_STATE_MACHINE_ARN is not set"),
        ({"SCORING_PREFIX": "score"}, "SCORING_PREFIX='score' must end with '/'"),
        ({"SCORING_PREFIX": "input/s/"}, "SCORING_PREFIX='input/s/' and INPUT_PREFIX='input/' overlap"),
        ({"SCORING_PREFIX": "runs/"}, "SCORING_PREFIX='runs/' and RUNS_PREFIX='runs/' overlap"),
        ({"SCORING_PREFIX": "p/"}, "SCORING_PREFIX='p/' and PREDICTIONS_PREFIX='p/' overlap"),
        (
            {"SCORING_STATE_MACHINE_ARN": "scoring"},
            "SCORING_STATE_MACHINE_ARN='scoring' is not a state machine",
        ),
        ({"SCORING_OUTPUTS": "{"}, "SCORING_OUTPUTS is not JSON"),
        ({"SCORING_OUTPUTS": json.dumps({"manifest": "../x"})}, "SCORING_OUTPUTS must map"),
    ],
)
def test_bad_scoring_variables_are_named(changes: dict[str, str], expected: str) -> None:
    environment = BASE_ENVIRONMENT | SCORING_ENVIRONMENT | changes
    if changes.get("SCORING_PREFIX") == "p/":
        environment["PREDICTIONS_PREFIX"] = "p/"
    environment = {name: value for name, value in environment.items() if value}
    with pytest.raises(ConfigError) as raised:
        load_config(environment)
    assert expected in str(raised.value)


@pytest.fixture
def scoring_config(config: Config, stepfunctions: Any) -> Config:
    arn = stepfunctions.create_state_machine(
        name="churn-xgboost-scoring",
        definition=PASS_DEFINITION,
        roleArn="arn:aws:iam::123456789012:role/churn-xgboost-scoring",
    )["stateMachineArn"]
    return dataclasses.replace(
        config,
        scoring=ScoringConfig(
            prefix="score/", state_machine_arn=arn, predictions_prefix="predictions/", outputs=SCORING_OUTPUTS
        ),
    )


def test_an_upload_under_the_scoring_prefix_starts_a_scoring_run_only(
    s3: Any, stepfunctions: Any, scoring_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scoring_config.scoring is not None
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="score/2026/11/customers.csv", Body=b"1,2,3\n4,5,6\n")
    event = s3_event(record_for_upload(s3, PIPELINE_BUCKET, "score/2026/11/customers.csv"))

    summary = process_event(event, config=scoring_config, stepfunctions=stepfunctions)

    assert [started["kind"] for started in summary["started"]] == ["scoring"]
    assert executions(stepfunctions, scoring_config.state_machine_arn) == []
    (execution,) = executions(stepfunctions, scoring_config.scoring.state_machine_arn)
    run_input = execution["input"]
    run_id = run_input["run_id"]
    assert execution["name"] == run_id
    assert run_id.startswith("2026-11-customers-")
    assert run_input["names"] == {
        "execution": run_id,
        "transform_job": f"{PIPELINE_NAME}--{run_id}",
        "model": f"{PIPELINE_NAME}--{run_id}",
    }
    assert run_input["source"]["key"] == "score/2026/11/customers.csv"
    assert run_input["transform_input_entries"] == [
        {"prefix": f"s3://{PIPELINE_BUCKET}/score/2026/11/"},
        "customers.csv",
    ]
    assert run_input["output_keys"] == {
        "transform_input": f"runs/{run_id}/scoring/transform-input.manifest",
        "predictions_prefix": f"predictions/{run_id}/",
        "predictions": f"predictions/{run_id}/customers.csv.out",
        "manifest": f"predictions/{run_id}/manifest.json",
    }
    assert (
        run_input["outputs"]["predictions"]
        == f"s3://{PIPELINE_BUCKET}/predictions/{run_id}/customers.csv.out"
    )
    assert [line["event"] for line in log_lines(capsys.readouterr().out)][-2:] == [
        "scoring_run_started",
        "invocation_finished",
    ]

    # The same delivery again starts nothing new (Step Functions returns the open execution of that name).
    process_event(event, config=scoring_config, stepfunctions=stepfunctions)
    assert len(executions(stepfunctions, scoring_config.scoring.state_machine_arn)) == 1


def test_without_scoring_a_key_under_score_is_skipped(s3: Any, stepfunctions: Any, config: Config) -> None:
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="score/a.csv", Body=b"1,2\n")
    summary = process_event(
        s3_event(record_for_upload(s3, PIPELINE_BUCKET, "score/a.csv")),
        config=config,
        stepfunctions=stepfunctions,
    )
    assert summary["skipped"] == [{"key": "score/a.csv", "reason": "outside_input_prefix"}]


def test_an_empty_scoring_upload_is_skipped_as_an_empty_upload(
    s3: Any, stepfunctions: Any, scoring_config: Config
) -> None:
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="score/empty.csv", Body=b"")
    summary = process_event(
        s3_event(record_for_upload(s3, PIPELINE_BUCKET, "score/empty.csv")),
        config=scoring_config,
        stepfunctions=stepfunctions,
    )
    assert summary["skipped"] == [{"key": "score/empty.csv", "reason": "empty_object"}]


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        (b"", 0),
        (b"\n\n\r\n", 0),
        (b"1,2", 1),
        (b"1,2\n", 1),
        (b"1,2\r\n3,4\r\n", 2),
        (b"1,2\n\n3,4", 2),
    ],
)
def test_records_are_non_empty_lines(text: bytes, rows: int) -> None:
    assert count_line_records([text]) == rows


@given(
    lines=st.lists(st.sampled_from(["", "1,2", "0.5,x", "\r"]), max_size=30),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
)
def test_the_count_does_not_depend_on_the_chunking(lines: list[str], cuts: list[int]) -> None:
    data = "\n".join(lines).encode()
    bounds = sorted({min(cut, len(data)) for cut in cuts} | {0, len(data)})
    chunks = [data[start:end] for start, end in itertools.pairwise(bounds)]
    expected = sum(1 for line in data.split(b"\n") if line.strip(b"\r"))
    assert count_line_records(chunks) == expected


def _source(s3: Any, key: str) -> dict[str, Any]:
    head = s3.head_object(Bucket=PIPELINE_BUCKET, Key=key)
    return {
        "bucket": PIPELINE_BUCKET,
        "key": key,
        "version_id": head["VersionId"],
        "etag": head["ETag"].strip('"'),
        "uri": f"s3://{PIPELINE_BUCKET}/{key}",
    }


def test_the_counter_counts_the_uploaded_version_and_the_predictions(s3: Any) -> None:
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="score/a.csv", Body=b"1,2\n3,4\n5,6\n")
    source = _source(s3, "score/a.csv")
    assert count_rows({"count": "input", "source": source}, s3) == {"rows": 3}
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="predictions/r/a.csv.out", Body=b"0.1\n0.2\n")
    predictions = {"bucket": PIPELINE_BUCKET, "key": "predictions/r/a.csv.out"}
    assert count_rows({"count": "output", "source": source, "predictions": predictions}, s3) == {"rows": 2}


def test_the_counter_refuses_blank_input_naming_the_file(s3: Any) -> None:
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="score/blank.csv", Body=b"\n\n")
    with pytest.raises(EmptyInput, match=r"s3://.*/score/blank\.csv has no rows to score"):
        count_rows({"count": "input", "source": _source(s3, "score/blank.csv")}, s3)


def test_the_counter_refuses_an_overwritten_source(s3: Any) -> None:
    make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="score/a.csv", Body=b"1,2\n")
    source = _source(s3, "score/a.csv")
    s3.put_object(Bucket=PIPELINE_BUCKET, Key="score/a.csv", Body=b"9,9\n9,9\n")
    with pytest.raises(SourceChanged, match=r"score/a\.csv was overwritten after the upload"):
        count_rows({"count": "input", "source": source}, s3)
