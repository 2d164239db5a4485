"""The handler against Step Functions and S3 in moto (in process, no server)."""

from __future__ import annotations

import importlib
import json
import sys
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError
from trigger.config import Config
from trigger.naming import (
    EXECUTION_NAME_MAX_LENGTH,
    EXECUTION_NAME_PATTERN,
    SAGEMAKER_NAME_MAX_LENGTH,
    SAGEMAKER_NAME_PATTERN,
    derive_names,
)
from trigger.process import TriggerError, process_event
from trigger_s3_events import next_sequencer, record_for_upload, s3_event, s3_record
from trigger_test_support import (
    INPUT_PREFIX,
    PIPELINE_BUCKET,
    PIPELINE_NAME,
    RUN_OUTPUTS,
    RUNS_PREFIX,
    executions,
    log_lines,
    make_bucket,
)

LONG_KEY = "input/" + "/".join(["Customer Churn Exports 2024"] * 35) + "/final export.csv"
assert 1000 <= len(LONG_KEY) <= 1024

AWKWARD_KEYS = [
    pytest.param("input/churn data.csv", "churn-data", id="spaces"),
    pytest.param("input/a+b c.csv", "a-b-c", id="plus-and-space"),
    pytest.param("input/%41 literal %2F.csv", "41-literal-2f", id="percent-sequences"),
    pytest.param("input/données é.csv", "donnees-e", id="accents"),
    pytest.param("input/日本/データ.csv", "upload", id="unicode-only"),
    pytest.param(LONG_KEY, "churn-exports-2024-final-export", id="1000-characters"),
    pytest.param("input/v1.2/2024.01.15/data.csv", "v1-2-2024-01-15-data", id="dots-in-folders"),
    pytest.param("input/no_extension", "no-extension", id="no-extension"),
    pytest.param("input/report (1) [copy] #&=?;.CSV", "report-1-copy", id="punctuation"),
]


def check_run_input(run_input: dict[str, Any], *, bucket: str, key: str, version_id: str | None) -> None:
    """The contract's rules, checked from the outside rather than by rebuilding the input."""
    run_id = run_input["run_id"]
    assert run_input["source"]["bucket"] == bucket
    assert run_input["source"]["key"] == key
    assert run_input["source"]["uri"] == f"s3://{bucket}/{key}"
    assert run_input["source"]["version_id"] == version_id
    names = run_input["names"]
    assert names["execution"] == run_id
    assert len(run_id) <= EXECUTION_NAME_MAX_LENGTH and EXECUTION_NAME_PATTERN.match(run_id)
    for field in ("training_job", "model", "endpoint_config"):
        assert names[field] == f"{PIPELINE_NAME}--{run_id}"
        assert len(names[field]) <= SAGEMAKER_NAME_MAX_LENGTH and SAGEMAKER_NAME_PATTERN.match(names[field])
    prefix = f"s3://{bucket}/{RUNS_PREFIX}{run_id}/"
    assert run_input["outputs"] == {
        "run_prefix": prefix,
        **{name: f"{prefix}{path}" for name, path in RUN_OUTPUTS.items()},
    }


@pytest.mark.parametrize("versioned", [True, False], ids=["versioned", "unversioned"])
@pytest.mark.parametrize(("key", "slug"), AWKWARD_KEYS)
def test_awkward_key_starts_one_run_with_the_contract_input(
    s3: Any, stepfunctions: Any, config: Config, versioned: bool, key: str, slug: str
) -> None:
    bucket = make_bucket(s3, PIPELINE_BUCKET, versioned=versioned)
    put = s3.put_object(Bucket=bucket, Key=key, Body=b"1,2,3\n0,4,5\n")
    version_id = put.get("VersionId") if versioned else None

    summary = process_event(
        s3_event(record_for_upload(s3, bucket, key)), config=config, stepfunctions=stepfunctions
    )

    (execution,) = executions(stepfunctions, config.state_machine_arn)
    run_input = execution["input"]
    assert execution["name"] == run_input["names"]["execution"]
    assert run_input["run_id"].startswith(f"{slug}-")
    check_run_input(run_input, bucket=bucket, key=key, version_id=version_id)
    assert run_input["source"]["size"] == 12
    # The decoded key is the real one: S3 finds the object (and version) the run will read.
    head = s3.head_object(
        Bucket=bucket, Key=run_input["source"]["key"], **({"VersionId": version_id} if versioned else {})
    )
    assert head["ETag"].strip('"') == run_input["source"]["etag"]
    assert summary["started"] == [
        {
            "run_id": run_input["run_id"],
            "bucket": bucket,
            "key": key,
            "version_id": version_id,
            "execution_arn": execution["arn"],
        }
    ]


def test_moto_style_encoding_of_slashes_is_decoded(s3: Any, stepfunctions: Any, config: Config) -> None:
    bucket = make_bucket(s3, PIPELINE_BUCKET, versioned=False)
    s3.put_object(Bucket=bucket, Key="input/2024/churn data.csv", Body=b"1,2\n")
    record = s3_record(bucket, "input/2024/churn data.csv", size=4, etag="e", safe="")
    assert record["s3"]["object"]["key"] == "input%2F2024%2Fchurn+data.csv"
    process_event(s3_event(record), config=config, stepfunctions=stepfunctions)
    (execution,) = executions(stepfunctions, config.state_machine_arn)
    assert execution["input"]["source"]["key"] == "input/2024/churn data.csv"


@pytest.mark.parametrize("versioned", [True, False], ids=["versioned", "unversioned"])
def test_same_key_uploaded_twice_starts_two_runs(
    s3: Any, stepfunctions: Any, config: Config, versioned: bool
) -> None:
    bucket = make_bucket(s3, PIPELINE_BUCKET, versioned=versioned)
    key = "input/churn.csv"
    events = []
    for _ in range(2):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1,2,3\n")  # identical content, identical ETag
        events.append(s3_event(record_for_upload(s3, bucket, key)))
    for event in events:
        process_event(event, config=config, stepfunctions=stepfunctions)

    started = executions(stepfunctions, config.state_machine_arn)
    assert len(started) == 2
    assert len({e["input"]["run_id"] for e in started}) == 2
    version_ids = {e["input"]["source"]["version_id"] for e in started}
    if versioned:
        assert len(version_ids) == 2 and None not in version_ids
    else:
        assert version_ids == {None}


@pytest.mark.parametrize("versioned", [True, False], ids=["versioned", "unversioned"])
def test_same_event_delivered_twice_starts_one_run(
    s3: Any, stepfunctions: Any, config: Config, versioned: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = make_bucket(s3, PIPELINE_BUCKET, versioned=versioned)
    s3.put_object(Bucket=bucket, Key="input/churn.csv", Body=b"1,2,3\n")
    event = s3_event(record_for_upload(s3, bucket, "input/churn.csv"))

    first = process_event(event, config=config, stepfunctions=stepfunctions)
    # While the execution is open, Step Functions answers an identical request with that execution.
    again_while_open = process_event(
        json.loads(json.dumps(event)), config=config, stepfunctions=stepfunctions
    )
    (execution,) = executions(stepfunctions, config.state_machine_arn)
    assert again_while_open["started"] == first["started"]

    # Once it has closed, the same name raises ExecutionAlreadyExists: still the same delivery.
    stepfunctions.stop_execution(executionArn=execution["arn"])
    again_after_close = process_event(event, config=config, stepfunctions=stepfunctions)
    assert again_after_close["started"] == []
    assert [d["run_id"] for d in again_after_close["duplicates"]] == [execution["input"]["run_id"]]
    assert len(executions(stepfunctions, config.state_machine_arn)) == 1
    lines = log_lines(capsys.readouterr().out)
    assert any(
        line["event"] == "run_already_started" and line["run_id"] == execution["input"]["run_id"]
        for line in lines
    )


def test_event_with_several_records_starts_runs_and_logs_every_skip(
    s3: Any, stepfunctions: Any, config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    for key, body in [
        ("input/a.csv", b"1,2\n"),
        ("input/b c.csv", b"3,4\n"),
        ("other/a.csv", b"1,2\n"),
        ("input/folder/", b""),
        ("input/empty.csv", b""),
        ("runs/old/etl/train/part-0.csv", b"1,2\n"),
    ]:
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    removed = s3_record(bucket, "input/gone.csv", size=0, etag="", event_name="ObjectRemoved:Delete")
    event = s3_event(
        record_for_upload(s3, bucket, "input/a.csv"),
        record_for_upload(s3, bucket, "other/a.csv"),
        record_for_upload(s3, bucket, "input/folder/"),
        record_for_upload(s3, bucket, "input/empty.csv"),
        removed,
        record_for_upload(s3, bucket, "runs/old/etl/train/part-0.csv"),
        record_for_upload(s3, bucket, "input/b c.csv", event_name="ObjectCreated:CompleteMultipartUpload"),
    )

    summary = process_event(event, config=config, stepfunctions=stepfunctions)

    started_keys = sorted(
        e["input"]["source"]["key"] for e in executions(stepfunctions, config.state_machine_arn)
    )
    assert started_keys == ["input/a.csv", "input/b c.csv"]
    assert sorted(s["key"] for s in summary["started"]) == started_keys
    assert summary["skipped"] == [
        {"key": "other/a.csv", "reason": "outside_input_prefix"},
        {"key": "input/folder/", "reason": "folder_marker"},
        {"key": "input/empty.csv", "reason": "empty_object"},
        {"key": "input/gone.csv", "reason": "not_object_created"},
        {"key": "runs/old/etl/train/part-0.csv", "reason": "outside_input_prefix"},
    ]
    assert summary["records"] == 7

    lines = log_lines(capsys.readouterr().out)
    assert all("run_id" in line and "level" in line and "event" in line for line in lines)
    skipped_lines = [line for line in lines if line["event"] == "record_skipped"]
    assert [(line["key"], line["reason"]) for line in skipped_lines] == [
        (s["key"], s["reason"]) for s in summary["skipped"]
    ]
    assert all(line["key"] in line["message"] for line in skipped_lines)
    started_lines = [line for line in lines if line["event"] == "run_started"]
    assert sorted(line["run_id"] for line in started_lines) == sorted(s["run_id"] for s in summary["started"])
    assert lines[-1]["event"] == "invocation_finished"
    assert (lines[-1]["started"], lines[-1]["skipped"], lines[-1]["failed"]) == (2, 5, 0)


def test_missing_state_machine_makes_the_handler_raise_naming_the_key(
    s3: Any, stepfunctions: Any, config: Config
) -> None:
    bucket = make_bucket(s3, PIPELINE_BUCKET, versioned=False)
    s3.put_object(Bucket=bucket, Key="input/churn data.csv", Body=b"1,2\n")
    missing = Config(
        state_machine_arn=config.state_machine_arn.replace("churn-xgboost-pipeline", "deleted-pipeline"),
        pipeline_name=PIPELINE_NAME,
        bucket_name=PIPELINE_BUCKET,
        input_prefix=INPUT_PREFIX,
        runs_prefix=RUNS_PREFIX,
        run_outputs=RUN_OUTPUTS,
    )
    with pytest.raises(
        TriggerError, match=r"1 of 1 .*'input/churn data.csv'.*StateMachineDoesNotExist"
    ) as raised:
        process_event(
            s3_event(record_for_upload(s3, bucket, "input/churn data.csv")),
            config=missing,
            stepfunctions=stepfunctions,
        )
    assert isinstance(raised.value.__cause__, ClientError)


class DenyingStepFunctions:
    """The moto client, except that StartExecution is denied for the names in `denied`."""

    def __init__(self, client: Any, denied: set[str]) -> None:
        self.client = client
        self.denied = denied

    def start_execution(self, **kwargs: Any) -> Any:
        if kwargs["name"] in self.denied:
            raise ClientError(
                {
                    "Error": {
                        "Code": "AccessDeniedException",
                        "Message": "not authorized: states:StartExecution",
                    }
                },
                "StartExecution",
            )
        return self.client.start_execution(**kwargs)


def test_access_denied_raises_after_the_other_records_and_the_retry_is_idempotent(
    s3: Any, stepfunctions: Any, config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = make_bucket(s3, PIPELINE_BUCKET, versioned=True)
    for key in ("input/denied.csv", "input/allowed.csv"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1,2\n")
    event = s3_event(
        record_for_upload(s3, bucket, "input/denied.csv"), record_for_upload(s3, bucket, "input/allowed.csv")
    )
    record = event["Records"][0]
    denied_run = derive_names(
        pipeline_name=PIPELINE_NAME,
        input_prefix=INPUT_PREFIX,
        bucket=bucket,
        key="input/denied.csv",
        version_id=record["s3"]["object"]["versionId"],
        sequencer=record["s3"]["object"]["sequencer"],
        etag=record["s3"]["object"]["eTag"],
        event_time=record["eventTime"],
    )
    denying = DenyingStepFunctions(stepfunctions, denied={denied_run.execution})

    with pytest.raises(TriggerError, match=r"1 of 2 .*'input/denied.csv'.*AccessDeniedException") as raised:
        process_event(event, config=config, stepfunctions=denying)
    assert [f.key for f in raised.value.failures] == ["input/denied.csv"]
    assert [e["input"]["source"]["key"] for e in executions(stepfunctions, config.state_machine_arn)] == [
        "input/allowed.csv"
    ]
    failed_lines = [line for line in log_lines(capsys.readouterr().out) if line["event"] == "record_failed"]
    assert [(line["key"], line["run_id"]) for line in failed_lines] == [
        ("input/denied.csv", denied_run.run_id)
    ]

    # Lambda's retry re-delivers the whole event once the permission is fixed.
    denying.denied.clear()
    retry = process_event(event, config=config, stepfunctions=denying)
    assert [s["key"] for s in retry["started"]] == ["input/denied.csv", "input/allowed.csv"]
    assert sorted(
        e["input"]["source"]["key"] for e in executions(stepfunctions, config.state_machine_arn)
    ) == [
        "input/allowed.csv",
        "input/denied.csv",
    ]


def test_malformed_record_fails_the_invocation_but_not_the_other_records(
    s3: Any, stepfunctions: Any, config: Config
) -> None:
    bucket = make_bucket(s3, PIPELINE_BUCKET, versioned=False)
    s3.put_object(Bucket=bucket, Key="input/good.csv", Body=b"1,2\n")
    broken = s3_record(bucket, "input/broken.csv", size=3, etag="e")
    del broken["s3"]["object"]["size"]
    with pytest.raises(TriggerError, match=r"Records\[0\] key 'input/broken.csv'.*s3\.object\.size"):
        process_event(
            s3_event(broken, record_for_upload(s3, bucket, "input/good.csv")),
            config=config,
            stepfunctions=stepfunctions,
        )
    assert [e["input"]["source"]["key"] for e in executions(stepfunctions, config.state_machine_arn)] == [
        "input/good.csv"
    ]


def test_lambda_entry_point_reads_the_environment_and_logs_the_request_id(
    s3: Any,
    stepfunctions: Any,
    state_machine_arn: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STATE_MACHINE_ARN", state_machine_arn)
    monkeypatch.setenv("PIPELINE_NAME", PIPELINE_NAME)
    monkeypatch.setenv("BUCKET_NAME", PIPELINE_BUCKET)
    monkeypatch.setenv("INPUT_PREFIX", INPUT_PREFIX)
    monkeypatch.setenv("RUNS_PREFIX", RUNS_PREFIX)
    monkeypatch.setenv("RUN_OUTPUTS", json.dumps(RUN_OUTPUTS))
    monkeypatch.delitem(sys.modules, "trigger.handler", raising=False)
    handler_module = importlib.import_module("trigger.handler")
    bucket = make_bucket(s3, PIPELINE_BUCKET, versioned=False)
    s3.put_object(Bucket=bucket, Key="input/churn.csv", Body=b"1,2\n")

    summary = handler_module.handler(
        s3_event(record_for_upload(s3, bucket, "input/churn.csv", sequencer=next_sequencer())),
        SimpleNamespace(aws_request_id="c6af9ac6-7b61-11e6-9a41-93e812345678"),
    )

    (execution,) = executions(stepfunctions, state_machine_arn)
    assert summary["started"][0]["execution_arn"] == execution["arn"]
    lines = log_lines(capsys.readouterr().out)
    assert lines and all(line["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e812345678" for line in lines)


def test_event_from_another_bucket_starts_nothing_and_says_so(
    s3: Any, stepfunctions: Any, config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    other = make_bucket(s3, "someone-elses-bucket", versioned=False)
    s3.put_object(Bucket=other, Key="input/churn.csv", Body=b"1,2\n")

    summary = process_event(
        s3_event(record_for_upload(s3, other, "input/churn.csv")), config=config, stepfunctions=stepfunctions
    )

    assert summary["skipped"] == [{"key": "input/churn.csv", "reason": "other_bucket"}]
    assert executions(stepfunctions, config.state_machine_arn) == []
    (line,) = [line for line in log_lines(capsys.readouterr().out) if line["event"] == "record_skipped"]
    assert line["level"] == "WARNING" and line["bucket"] == "someone-elses-bucket"
    assert "bucket other than this pipeline's" in line["message"]
