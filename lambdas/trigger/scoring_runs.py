"""Starting the scoring run of a file uploaded under the scoring prefix (the module's `scoring` input).

Same naming (the run id from the key below the scoring prefix), idempotency (execution name = run id) and
skip rules as an upload's run; the scoring state machine instead of the pipeline's."""

from __future__ import annotations

from typing import Any

from trigger.config import Config
from trigger.events import CreatedObject
from trigger.executions import start_execution
from trigger.logs import log
from trigger.naming import ScoringNames, derive_scoring_names
from trigger.run_input import execution_input
from trigger.scoring_run_input import build_scoring_run_input


def scoring_prefix_of(config: Config, key: str) -> str | None:
    """The scoring prefix when `key` lies under it (then it is scored), else None."""
    if config.scoring is not None and key.startswith(config.scoring.prefix):
        return config.scoring.prefix
    return None


def scoring_names(obj: CreatedObject, config: Config) -> ScoringNames:
    assert config.scoring is not None, "only called for keys under the scoring prefix"
    return derive_scoring_names(
        pipeline_name=config.pipeline_name,
        scoring_prefix=config.scoring.prefix,
        bucket=obj.bucket,
        key=obj.key,
        version_id=obj.version_id,
        sequencer=obj.sequencer,
        etag=obj.etag,
        event_time=obj.event_time,
    )


def start_scoring_run(
    obj: CreatedObject, names: ScoringNames, config: Config, stepfunctions: Any, summary: dict[str, Any]
) -> None:
    assert config.scoring is not None, "only called for keys under the scoring prefix"
    run_input = build_scoring_run_input(obj, names, config.runs_prefix, config.scoring)
    outcome = start_execution(
        stepfunctions, config.scoring.state_machine_arn, names.execution, execution_input(run_input)
    )
    source = {"bucket": obj.bucket, "key": obj.key, "version_id": obj.version_id}
    if outcome.status == "started":
        summary["started"].append(
            {"run_id": names.run_id, "kind": "scoring", **source, "execution_arn": outcome.execution_arn}
        )
        log(
            "INFO",
            "scoring_run_started",
            f"started scoring execution {names.execution} for {obj.uri}",
            run_id=names.run_id,
            **source,
            size=obj.size,
            execution_arn=outcome.execution_arn,
        )
    else:
        summary["duplicates"].append({"run_id": names.run_id, "kind": "scoring", **source})
        log(
            "INFO",
            "run_already_started",
            f"scoring execution {names.execution} already exists for {obj.uri}: "
            "a repeated delivery of this upload",
            run_id=names.run_id,
            **source,
            detail=outcome.detail,
        )
