"""Step Functions: moto's API and ASL interpreter with the local cloud's fixes, one per module.

State machines execute in moto's interpreter (`execute_state_machine`, set by `localcloud.server`).
Integration calls are made as the state machine's role (`execution_role`); every status change of an
execution is an EventBridge event (`execution_events`). `PATCHES` lists every fix.
"""

from __future__ import annotations

from localcloud.stepfunctions import (
    api_actions,
    empty_filter,
    execution_events,
    execution_role,
    json_timestamps,
    log_delivery,
    sagemaker_integration,
    sdk_error_names,
    stop_execution,
    streaming_bodies,
    sync_callback,
    sync_polling,
)

PATCHES = (
    *execution_role.PATCHES,
    *api_actions.PATCHES,
    *sync_callback.PATCHES,
    *sync_polling.PATCHES,
    *sagemaker_integration.PATCHES,
    *empty_filter.PATCHES,
    *sdk_error_names.PATCHES,
    *json_timestamps.PATCHES,
    *streaming_bodies.PATCHES,
    *log_delivery.PATCHES,
    *execution_events.PATCHES,
    *stop_execution.PATCHES,
)
