"""aws-sdk task results carry a streamed body (S3 GetObject's `Body`) as its text, as Step Functions does.

moto's port of the interpreter has the conversion (`_from_boto_response_value`) but never applies it to
an aws-sdk task's response, so the raw botocore stream reached the state's paths and
`States.StringToJson($.Body)` failed with "'StreamingChecksumBody' object has no attribute 'strip'".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.response import StreamingBody
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
    StateTaskServiceAwsSdk,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.utils import to_str

from localcloud import patching


def read_streams(value: Any) -> Any:
    """`value` with every streamed body in it read as text."""
    if isinstance(value, StreamingBody):
        return to_str(value.read())
    if isinstance(value, dict):
        return {key: read_streams(item) for key, item in value.items()}
    if isinstance(value, list):
        return [read_streams(item) for item in value]
    return value


def _reading_streamed_bodies(original: Callable[..., None]) -> Callable[..., None]:
    def eval_service_task(self: StateTaskServiceAwsSdk, env: Environment, *args: Any, **kwargs: Any) -> None:
        original(self, env, *args, **kwargs)
        env.stack[-1] = read_streams(env.stack[-1])

    return eval_service_task


PATCHES = (
    patching.wrap(
        __name__,
        StateTaskServiceAwsSdk,
        "_eval_service_task",
        fingerprint="e68dc9e06e6ae0ce",
        build=_reading_streamed_bodies,
    ),
)
