"""Task results that hold timestamps are rendered as JSON, as Step Functions renders them.

Glue GetJobRun and the SageMaker describe calls return datetimes, which broke DescribeExecution
(`datetime is not JSON serializable`). Step Functions renders them as epoch milliseconds for optimised
integrations and as ISO-8601 strings for aws-sdk integrations, also in the JobRun JSON that a failed
`glue:startJobRun.sync` puts in the error cause.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk,
    state_task_service_glue,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (
    StateTaskService,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment

from localcloud import patching


def render_timestamps(value: Any, render: Callable[[datetime.datetime], Any]) -> Any:
    if isinstance(value, datetime.datetime):
        return render(value)
    if isinstance(value, dict):
        return {key: render_timestamps(item, render) for key, item in value.items()}
    if isinstance(value, list):
        return [render_timestamps(item, render) for item in value]
    return value


def to_epoch_millis(value: Any) -> Any:
    """`value` with every datetime in it as epoch milliseconds (optimised integrations)."""
    return render_timestamps(value, lambda moment: int(moment.timestamp() * 1000))


def _rendering_task_results(original: Callable[..., None]) -> Callable[..., None]:
    def after_eval_execution(self: StateTaskService, env: Environment, *args: Any, **kwargs: Any) -> None:
        if isinstance(self, state_task_service_aws_sdk.StateTaskServiceAwsSdk):
            env.stack[-1] = render_timestamps(env.stack[-1], datetime.datetime.isoformat)
        else:
            env.stack[-1] = to_epoch_millis(env.stack[-1])
        original(self, env, *args, **kwargs)

    return after_eval_execution


def _rendering_glue_cause(original: Callable[..., str]) -> Callable[..., str]:
    def to_json_str(value: Any, separators: tuple[str, str] | None = None) -> str:
        return original(to_epoch_millis(value), separators=separators)

    return to_json_str


PATCHES = (
    patching.wrap(
        __name__,
        StateTaskService,
        "_after_eval_execution",
        fingerprint="118261fe0a626bff",
        build=_rendering_task_results,
    ),
    # moto's Glue integration serialises the failed JobRun with the `to_json_str` it imported.
    patching.wrap(
        __name__,
        state_task_service_glue,
        "to_json_str",
        fingerprint="85dcb225d54020c5",
        build=_rendering_glue_cause,
    ),
)
