"""Starting the scoring run of a file uploaded under the scoring prefix (the module's `scoring` input).

Same naming (the run id from the key below the scoring prefix), idempotency (execution name = run id) and
skip rules as an upload's run; the scoring state machine instead of the pipeline's."""

from __future__ import annotations

from typing import Any

from trigger.config import Config
from trigger.events import CreatedObject
from trigger.naming import ScoringNames, derive_scoring_names
from trigger.run_starts import start_run
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
    start_run(
        obj,
        run_id=names.run_id,
        execution=names.execution,
        run_input=build_scoring_run_input(obj, names, config.runs_prefix, config.scoring),
        state_machine_arn=config.scoring.state_machine_arn,
        stepfunctions=stepfunctions,
        summary=summary,
        kind="scoring",
    )
