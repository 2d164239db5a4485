"""One invocation: every record is handled, then any failures are raised together.

Raising after the loop (rather than at the first failure) starts the runs of the good records
now; Lambda's retry then re-delivers the whole event, and the records already started come back
as duplicates of their execution names, so nothing runs twice.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from trigger.config import Config
from trigger.events import CreatedObject, EventError, S3Record, created_object, event_records, parse_record
from trigger.executions import start_execution
from trigger.logs import log
from trigger.naming import RunNames, derive_names
from trigger.run_input import build_run_input, execution_input
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


def process_event(event: Any, *, config: Config, stepfunctions: Any) -> dict[str, Any]:
    """Start one run per accepted record; return what happened to each record."""
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
            accepted = _accept(record, config, summary)
            if accepted is None:
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


def _accept(record: S3Record, config: Config, summary: dict[str, Any]) -> CreatedObject | None:
    """The uploaded object when it should start a run; otherwise log and record why not."""
    reason = record_skip_reason(record, config.bucket_name, config.input_prefix)
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
    obj: CreatedObject, names: RunNames, config: Config, stepfunctions: Any, summary: dict[str, Any]
) -> None:
    run_input = build_run_input(obj, names, config.runs_prefix, config.run_outputs)
    outcome = start_execution(
        stepfunctions, config.state_machine_arn, names.execution, execution_input(run_input)
    )
    source = {"bucket": obj.bucket, "key": obj.key, "version_id": obj.version_id}
    if outcome.status == "started":
        summary["started"].append({"run_id": names.run_id, **source, "execution_arn": outcome.execution_arn})
        log(
            "INFO",
            "run_started",
            f"started execution {names.execution} for {obj.uri}",
            run_id=names.run_id,
            **source,
            size=obj.size,
            execution_arn=outcome.execution_arn,
        )
    else:
        summary["duplicates"].append({"run_id": names.run_id, **source})
        log(
            "INFO",
            "run_already_started",
            f"execution {names.execution} already exists for {obj.uri}: a repeated delivery of this upload",
            run_id=names.run_id,
            **source,
            detail=outcome.detail,
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
