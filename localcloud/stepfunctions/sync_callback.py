"""`.sync` tasks of services without a task-token callback (Glue, SageMaker) no longer crash.

moto's `StateTaskServiceCallback._eval_integration_pattern` releases a callback endpoint in a
`finally` block that only `.waitForTaskToken` tasks have, so every such `.sync` task failed with
`'NoneType' object has no attribute 'interrupt_all'`. The failing line is inside a `finally` that
also decides the task's outcome, so no wrapper around the method can repair it: the patch recompiles
moto's own method with a None check around that one line and keeps everything else as moto wrote it.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any, Final

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback,
)

from localcloud import patching

_UNGUARDED_RELEASE: Final = "            callback_endpoint.interrupt_all()\n"
_GUARDED_RELEASE: Final = (
    "            if callback_endpoint is not None:\n                callback_endpoint.interrupt_all()\n"
)


def _with_guarded_release(original: Callable[..., Any]) -> Callable[..., Any]:
    source = inspect.getsource(original)
    if source.count(_UNGUARDED_RELEASE) != 1:  # the fingerprint check makes this unreachable
        raise patching.PatchError(f"{__name__}: the line to guard is not in {original.__qualname__}")
    namespace: dict[str, Any] = {}
    patched_source = textwrap.dedent(source.replace(_UNGUARDED_RELEASE, _GUARDED_RELEASE))
    code = compile(patched_source, inspect.getsourcefile(original) or "<moto>", "exec")
    exec(code, vars(state_task_service_callback), namespace)
    return namespace[original.__name__]


PATCHES = (
    patching.wrap(
        __name__,
        state_task_service_callback.StateTaskServiceCallback,
        "_eval_integration_pattern",
        fingerprint="3b97ada1d4cb7280",
        build=_with_guarded_release,
    ),
)
