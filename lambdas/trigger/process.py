"""One invocation: every record is handled, then any failures are raised together.

Raising after the loop (rather than at the first failure) starts the runs of the good records
now; Lambda's retry then re-delivers the whole event, and the records already started come back
as duplicates of their execution names, so nothing runs twice.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trigger.approvals import approval_names, approved_version, build_approval_run_input, is_eventbridge_event
from trigger.config import Config
from trigger.events import CreatedObject, EventError, S3Record, created_object, event_records, parse_record
from trigger.executions import start_execution
from trigger.logs import log
from trigger.naming import RunNames, derive_names
from trigger.retraining import is_retrain_request, newest_candidate, object_from_head, retrain_request
from trigger.run_input import build_run_input, execution_input
from trigger.run_starts import start_run
from trigger.scoring_runs import scoring_names, scoring_prefix_of, start_scoring_run
from trigger.skips import SKIP_EXPLANATIONS, SkipReason, object_skip_reason, record_skip_reason


@dataclass(frozen=True)
class RecordFailure:
    index: int
    key: str | None
    run_id: str | None
    error: BaseException

    def describe(self) -> str:
        where = f"Records[{self.index}]" + (f" key {self.key!r}" if self.key is not None else "")
        return f"{where}: {type(self.error).__name__}: {self.error}"


class TriggerError(RuntimeError):
    """Some records could not start their run; raised so Lambda retries the event."""

    def __init__(self, failures: list[RecordFailure], total: int) -> None:
        self.failures = failures
        super().__init__(
            f"{len(failures)} of {total} S3 event records did not start a run: "
            + "; ".join(failure.describe() for failure in failures)
        )


def process_event(
    event: Any, *, config: Config, stepfunctions: Any, s3: Callable[[], Any] | None = None
) -> dict[str, Any]:
    """Start one run per accepted record (or one approval run, or one scheduled run); return what happened.

    `s3` makes the S3 client; only a scheduled retraining needs one."""
    if is_eventbridge_event(event):
        return process_approval(event, config=config, stepfunctions=stepfunctions)
    if is_retrain_request(event):
        if s3 is None:
            raise TypeError("a scheduled retraining needs an S3 client factory (s3=...)")
        return process_retrain(event, config=config, stepfunctions=stepfunctions, s3=s3())
    try:
        records = event_records(event)
    except EventError as error:
        log("ERROR", "event_rejected", str(error), run_id=None)
        raise

    summary: dict[str, Any] = {"records": len(records), "started": [], "duplicates": [], "skipped": []}
    failures: list[RecordFailure] = []
    for index, raw in enumerate(records):
        key: str | None = None
        run_id: str | None = None
        try:
            record = parse_record(index, raw)
            key = record.key
            scoring_prefix = scoring_prefix_of(config, record.key)
            accepted = _accept(record, config, summary, scoring_prefix or config.input_prefix)
            if accepted is None:
                continue
            if scoring_prefix is not None:
                scoring = scoring_names(accepted, config)
                run_id = scoring.run_id
                start_scoring_run(accepted, scoring, config, stepfunctions, summary)
                continue
            names = derive_names(
                pipeline_name=config.pipeline_name,
                input_prefix=config.input_prefix,
                bucket=accepted.bucket,
                key=accepted.key,
                version_id=accepted.version_id,
                sequencer=accepted.sequencer,
                etag=accepted.etag,
                event_time=accepted.event_time,
                tuning=config.tuning,
            )
            run_id = names.run_id
            _start(accepted, names, config, stepfunctions, summary)
        except Exception as error:  # every failure is re-raised below, after the other records
            failures.append(RecordFailure(index=index, key=key, run_id=run_id, error=error))
            log(
                "ERROR",
                "record_failed",
                f"Records[{index}] did not start a run: {type(error).__name__}: {error}",
                run_id=run_id,
                key=key,
                traceback=traceback.format_exception(error),
            )

    log(
        "ERROR" if failures else "INFO",
        "invocation_finished",
        f"{len(records)} records: {len(summary['started'])} started, "
        f"{len(summary['duplicates'])} duplicates, {len(summary['skipped'])} skipped, {len(failures)} failed",
        run_id=None,
        started=len(summary["started"]),
        duplicates=len(summary["duplicates"]),
        skipped=len(summary["skipped"]),
        failed=len(failures),
    )
    if failures:
        raise TriggerError(failures, len(records)) from failures[0].error
    return summary


def _accept(record: S3Record, config: Config, summary: dict[str, Any], prefix: str) -> CreatedObject | None:
    """The uploaded object when it should start a run (of the input or the scoring prefix); otherwise log
    and record why not."""
    reason = record_skip_reason(record, config.bucket_name, prefix)
    if reason is not None:
        _skip(record, reason, summary)
        return None
    obj = created_object(record)
    reason = object_skip_reason(obj)
    if reason is not None:
        _skip(record, reason, summary)
        return None
    return obj


def _start(
    obj: CreatedObject,
    names: RunNames,
    config: Config,
    stepfunctions: Any,
    summary: dict[str, Any],
    started_by: dict[str, Any] | None = None,
) -> None:
    start_run(
        obj,
        run_id=names.run_id,
        execution=names.execution,
        run_input=build_run_input(obj, names, config.runs_prefix, config.run_outputs, started_by),
        state_machine_arn=config.state_machine_arn,
        stepfunctions=stepfunctions,
        summary=summary,
    )


def _skip(record: S3Record, reason: SkipReason, summary: dict[str, Any]) -> None:
    explanation = SKIP_EXPLANATIONS[reason]
    summary["skipped"].append({"key": record.key, "reason": reason.value})
    log(
        # Another bucket's event means a notification wired by hand to this function: worth a look.
        "WARNING" if reason is SkipReason.OTHER_BUCKET else "INFO",
        "record_skipped",
        f"no run for s3://{record.bucket}/{record.key}: {explanation}",
        run_id=None,
        reason=reason.value,
        bucket=record.bucket,
        key=record.key,
        event_name=record.event_name,
    )


def process_approval(event: Any, *, config: Config, stepfunctions: Any) -> dict[str, Any]:
    """Start the run that deploys an approved model version (approvals.py); raise if the event is not one."""
    try:
        approved = approved_version(event, config.pipeline_name)
    except EventError as error:
        log("ERROR", "event_rejected", str(error), run_id=None, event_id=event.get("id"))
        raise
    names = approval_names(config.pipeline_name, approved)
    run_input = build_approval_run_input(approved, names)
    outcome = start_execution(
        stepfunctions, config.state_machine_arn, names.execution, execution_input(run_input)
    )
    fields = {"model_package_arn": approved.model_package_arn, "event_id": approved.event_id}
    if outcome.status == "started":
        log(
            "INFO",
            "approval_run_started",
            f"started execution {names.execution} to deploy approved version {approved.model_package_arn}",
            run_id=names.run_id,
            execution_arn=outcome.execution_arn,
            **fields,
        )
        return {
            "approval": {"run_id": names.run_id, "status": "started", "execution_arn": outcome.execution_arn}
        }
    log(
        "INFO",
        "run_already_started",
        f"execution {names.execution} already exists for approval event {approved.event_id}: a re-delivery",
        run_id=names.run_id,
        detail=outcome.detail,
        **fields,
    )
    return {"approval": {"run_id": names.run_id, "status": "duplicate", "execution_arn": None}}


def process_retrain(event: Any, *, config: Config, stepfunctions: Any, s3: Any) -> dict[str, Any]:
    """Start a run on the newest object under the input prefix unless its run exists (retraining.py)."""
    try:
        request = retrain_request(event)
    except EventError as error:
        log("ERROR", "event_rejected", str(error), run_id=None)
        raise
    listed: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=config.bucket_name, Prefix=config.input_prefix
    ):
        listed.extend(page.get("Contents", []))
    newest = newest_candidate(listed, config.input_prefix)
    summary: dict[str, Any] = {"records": 0, "started": [], "duplicates": [], "skipped": [], "retrain": None}
    if newest is None:
        summary["retrain"] = "no_data"
        log(
            "INFO",
            "retrain_skipped",
            f"scheduled retraining: no data file under s3://{config.bucket_name}/{config.input_prefix}",
            run_id=None,
            schedule_arn=request.schedule_arn,
        )
        return summary
    head = s3.head_object(Bucket=config.bucket_name, Key=newest["Key"])
    obj = object_from_head(config.bucket_name, newest["Key"], head)
    # The upload's identity (its version id) gives the upload's run id: an existing run means no new data.
    # Retraining unchanged data on purpose names the run after the tick instead.
    names = derive_names(
        pipeline_name=config.pipeline_name,
        input_prefix=config.input_prefix,
        bucket=obj.bucket,
        key=obj.key,
        version_id=None if request.retrain_unchanged else obj.version_id,
        sequencer=None,
        etag=obj.etag,
        event_time=f"schedule {request.scheduled_time}" if request.retrain_unchanged else obj.event_time,
    )
    started_by = {
        "kind": "schedule",
        "source_uri": obj.uri,
        "schedule_arn": request.schedule_arn,
        "scheduled_time": request.scheduled_time,
        "retrain_unchanged": request.retrain_unchanged,
    }
    _start(obj, names, config, stepfunctions, summary, started_by)
    summary["retrain"] = "started" if summary["started"] else "no_new_data"
    if not summary["started"]:
        log(
            "INFO",
            "retrain_skipped",
            f"scheduled retraining: no new data since run {names.run_id} on {obj.uri}; nothing started "
            "(set retrain_unchanged to retrain on the same data)",
            run_id=names.run_id,
            schedule_arn=request.schedule_arn,
        )
    return summary
