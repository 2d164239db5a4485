"""`.sync` tasks (Glue job runs, SageMaker training and transform jobs) notice their job's end sooner.

moto's interpreter checks a `.sync` task's job every 0.5 s (`_DELAY_SECONDS_SYNC_CONDITION_CHECK`). Local
jobs take about a second, so that sleep added a quarter to half a second per `.sync` state, two per run,
to every offline run. Each check is one in-process Describe/GetJobRun call, cheap at 0.1 s. AWS documents
no polling period for `.sync`; nothing in a state machine can observe this one, only the end comes sooner.
"""

from __future__ import annotations

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback,
)

from localcloud import patching

SYNC_CHECK_SECONDS = 0.1

PATCHES = (
    patching.replace(
        __name__,
        state_task_service_callback,
        "_DELAY_SECONDS_SYNC_CONDITION_CHECK",
        fingerprint="d2cbad71ff333de6",  # moto's 0.5
        replacement=SYNC_CHECK_SECONDS,
    ),
)
