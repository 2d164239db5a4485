"""The commands' text and JSON output, from values alone."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from pipeline_cli.pipeline import Pipeline
from pipeline_cli.registry import ModelVersion
from pipeline_cli.render import (
    cause_line,
    endpoint_sentence,
    result_text,
    runs_json,
    runs_text,
    source_text,
    table_lines,
    utc_time,
    versions_json,
    versions_text,
)
from pipeline_cli.runs import Run, Source
from pipeline_cli.serving import Serving

GROUP = "arn:aws:sagemaker:eu-west-1:123456789012:model-package"
PIPELINE = Pipeline(
    name="churn-xgboost",
    where="eu-west-1",
    group_arn=f"{GROUP}-group/churn-xgboost",
    endpoint_name="churn-xgboost-endpoint",
    state_machine_arn="arn:aws:states:eu-west-1:123456789012:stateMachine:churn-xgboost-pipeline",
    approval_mode="manual",
)
CREATED = datetime(2026, 11, 25, 21, 17, 40, tzinfo=UTC)


def _version(number: int, status: str = "Approved", metric: str | None = "0.0533") -> ModelVersion:
    return ModelVersion(
        number=number,
        arn=f"{GROUP}/churn-xgboost/{number}",
        status=status,
        created=CREATED + timedelta(hours=number),
        description=None,
        approval_description=None,
        run_id=f"churn-data-{number}0000",
        training_job=None,
        source_bucket=None,
        gate_verdict=None,
        metric_name="validation:error" if metric is not None else None,
        metric_value=metric,
        evaluation_uri=None,
    )


def _serving(
    status: str | None,
    current: int | None = 7,
    pending: int | None = None,
    failure_reason: str | None = None,
    note: str | None = None,
) -> Serving:
    return Serving(
        endpoint_name="churn-xgboost-endpoint",
        status=status,
        current_arn=f"{GROUP}/churn-xgboost/{current}" if current else None,
        pending_arn=f"{GROUP}/churn-xgboost/{pending}" if pending else None,
        failure_reason=failure_reason,
        note=note,
    )


def test_table_lines_align_columns_and_drop_trailing_spaces() -> None:
    assert table_lines(["A", "BB", "C"], [["xxx", "y", ""], ["z", "", "w"]]) == [
        "A    BB  C",
        "xxx  y",
        "z        w",
    ]


def test_times_are_shown_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert utc_time(datetime(2026, 11, 25, 22, 17, 40, tzinfo=paris)) == "2026-11-25 21:17:40"
    assert utc_time(None) == "-"


def test_versions_text() -> None:
    versions = [_version(9, "PendingManualApproval", "0.0612"), _version(8, "Rejected", "0.184"), _version(7)]

    text = versions_text(PIPELINE, _serving("InService"), versions)

    assert text.splitlines() == [
        "pipeline churn-xgboost in eu-west-1, approval mode manual",
        "endpoint churn-xgboost-endpoint: InService, serving version 7",
        "VERSION  STATUS                 METRIC                   CREATED (UTC)        RUN ID",
        "9        PendingManualApproval  validation:error=0.0612  2026-11-26 06:17:40  churn-data-90000",
        "8        Rejected               validation:error=0.184   2026-11-26 05:17:40  churn-data-80000",
        "7        Approved               validation:error=0.0533  2026-11-26 04:17:40  churn-data-70000  "
        "<- serving",
    ]


def test_versions_text_during_an_update_and_without_a_gate() -> None:
    versions = [_version(8, metric=None), _version(7)]

    lines = versions_text(PIPELINE, _serving("Updating", pending=8), versions).splitlines()

    assert lines[1] == "endpoint churn-xgboost-endpoint: Updating, serving version 7, deploying version 8"
    assert lines[3].split()[2] == "-"
    assert lines[3].endswith("<- deploying (endpoint Updating)")
    assert lines[4].endswith("<- serving (endpoint Updating)")


def test_versions_text_without_versions() -> None:
    assert versions_text(PIPELINE, _serving(None, current=None), []).splitlines()[1:] == [
        "endpoint churn-xgboost-endpoint: does not exist yet, no version serves",
        "no model versions yet: no run has trained a model",
    ]


def test_endpoint_sentences() -> None:
    shown = [_version(7)]
    assert endpoint_sentence(_serving("InService", current=3), shown) == (
        "endpoint churn-xgboost-endpoint: InService, serving version 3 (not among those shown: raise --limit)"
    )
    assert endpoint_sentence(_serving("Creating"), shown) == (
        "endpoint churn-xgboost-endpoint: Creating, deploying version 7"
    )
    failed = _serving("Failed", failure_reason="The model data is not a valid model.tar.gz\nmore")
    assert endpoint_sentence(failed, shown) == (
        "endpoint churn-xgboost-endpoint: Failed, not serving (its configuration has version 7), "
        "last failure: The model data is not a valid model.tar.gz"
    )
    unregistered = _serving("InService", current=None, note="model m was not created from a model package")
    assert endpoint_sentence(unregistered, shown) == (
        "endpoint churn-xgboost-endpoint: InService, model m was not created from a model package"
    )


def test_versions_json() -> None:
    versions = [_version(8, metric="not a number"), _version(7, metric=None), _version(6)]

    document = json.loads(versions_json(PIPELINE, _serving("Updating", current=6, pending=8), versions))

    assert document["endpoint"]["serving_version"] == 6
    assert document["endpoint"]["pending_version"] == 8
    assert [v["endpoint_role"] for v in document["versions"]] == ["deploying", None, "serving"]
    assert [v["metric"] for v in document["versions"]] == [
        {"name": "validation:error", "value": "not a number"},
        None,
        {"name": "validation:error", "value": 0.0533},
    ]
    assert document["versions"][0]["created"] == "2026-11-26T05:17:40+00:00"


RUN = Run(
    run_id="churn-data-3f9a1c2b7d",
    execution_arn="arn:aws:states:eu-west-1:123456789012:execution:churn-xgboost-pipeline:churn-data-3f9a1c2b7d",
    status="SUCCEEDED",
    started=CREATED,
    stopped=CREATED,
    outcome="Deployed",
    error=None,
    cause=None,
    source=Source("churn-bucket", "input/churn.csv", "3HL4kq"),
    approved_arn=None,
    package_arn=f"{GROUP}/churn-xgboost/7",
    metric=None,
)


def test_what_each_kind_of_run_shows() -> None:
    failed = replace(
        RUN, status="FAILED", outcome=None, error="EtlFailed", cause="ETL step failed: x\n{json}"
    )
    timed_out = replace(RUN, status="TIMED_OUT", outcome=None)
    aborted = replace(RUN, status="ABORTED", outcome=None, error="Stopped", cause="by operator")
    running = replace(RUN, status="RUNNING", outcome=None)

    assert [result_text(run) for run in (RUN, failed, timed_out, aborted, running)] == [
        "Deployed",
        "EtlFailed",
        "-",
        "Stopped",
        "-",
    ]
    assert [cause_line(run) for run in (RUN, failed, timed_out, aborted)] == [
        None,
        "ETL step failed: x",
        None,
        "by operator",
    ]


def test_sources() -> None:
    approval = replace(RUN, source=None, approved_arn=f"{GROUP}/churn-xgboost/7")
    assert source_text(RUN) == "s3://churn-bucket/input/churn.csv (version 3HL4kq)"
    assert source_text(replace(RUN, source=Source("b", "k.csv", None))) == "s3://b/k.csv"
    assert source_text(approval) == "approval of version 7"
    assert source_text(replace(RUN, source=None)) == "-"


def test_runs_text_puts_a_cause_under_its_run() -> None:
    failed = replace(
        RUN,
        run_id="churn-data-0000000001",
        status="FAILED",
        outcome=None,
        error="EtlFailed",
        cause="bad rows",
    )

    lines = runs_text(PIPELINE, [failed, RUN]).splitlines()

    assert lines[0] == f"pipeline churn-xgboost in eu-west-1, state machine {PIPELINE.state_machine_arn}"
    assert lines[1].split() == [
        "RUN",
        "ID",
        "STARTED",
        "(UTC)",
        "STATUS",
        "OUTCOME",
        "/",
        "ERROR",
        "VERSION",
        "SOURCE",
    ]
    assert lines[2].split()[:6] == [
        "churn-data-0000000001",
        "2026-11-25",
        "21:17:40",
        "FAILED",
        "EtlFailed",
        "7",
    ]
    assert lines[3] == "    bad rows"
    assert lines[4].split()[3:6] == ["SUCCEEDED", "Deployed", "7"]
    assert len(lines) == 5


def test_runs_json() -> None:
    document = json.loads(runs_json(PIPELINE, [RUN]))

    assert document["state_machine_arn"] == PIPELINE.state_machine_arn
    (run,) = document["runs"]
    assert run["source"] == {"bucket": "churn-bucket", "key": "input/churn.csv", "version_id": "3HL4kq"}
    assert (run["version"], run["outcome"], run["started"]) == (7, "Deployed", "2026-11-25T21:17:40+00:00")
