"""The state machine input: the run input contract of statemachine/README.md."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from trigger.events import CreatedObject
from trigger.naming import RunNames
from trigger.ordering import order_key


def build_run_input(
    obj: CreatedObject,
    names: RunNames,
    runs_prefix: str,
    run_outputs: Mapping[str, str],
    started_by: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every name and URI a run needs, derived once so the states only read them.

    `run_outputs` is the module's run layout (output name -> path below the run's prefix): this function
    only places it under this run, so the layout is written in one place, the module."""
    run_prefix = f"s3://{obj.bucket}/{runs_prefix}{names.run_id}/"
    key_prefix = f"{runs_prefix}{names.run_id}/"
    return {
        "run_id": names.run_id,
        # Which upload is newer: the state machine deploys a model only while no newer upload's run has
        # claimed the endpoint (statemachine/README.md, "Bursts").
        "order_key": order_key(obj.event_time, obj.sequencer, obj.key),
        "source": {
            "bucket": obj.bucket,
            "key": obj.key,
            "version_id": obj.version_id,
            "size": obj.size,
            "etag": obj.etag,
            "uri": obj.uri,
        },
        "names": {
            "execution": names.execution,
            "training_job": names.training_job,
            "model": names.model,
            "endpoint_config": names.endpoint_config,
            **({"tuning_job": names.tuning_job} if names.tuning_job is not None else {}),
        },
        "outputs": {
            "run_prefix": run_prefix,
            **{name: f"{run_prefix}{path}" for name, path in sorted(run_outputs.items())},
        },
        # The same locations as keys of the source's bucket: S3 API calls of the state machine (reading the
        # ETL manifest, writing the evaluation) take a bucket and a key, and ASL cannot split a URI.
        "output_keys": {name: f"{key_prefix}{path}" for name, path in sorted(run_outputs.items())},
        "started_by": dict(started_by)
        if started_by is not None
        else {"kind": "upload", "source_uri": obj.uri},
    }


def execution_input(run_input: dict[str, Any]) -> str:
    """Serialised the same way every time: a re-delivered event then sends byte-identical input,
    which Step Functions treats as the same request while the execution is open."""
    return json.dumps(run_input, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
