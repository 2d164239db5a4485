"""The scoring state machine's input: the scoring run input contract of statemachine/README.md."""

from __future__ import annotations

import posixpath
from typing import Any

from trigger.events import CreatedObject
from trigger.naming import ScoringNames
from trigger.scoring_config import ScoringConfig

# SageMaker names a transform job's output `<input object name>.out` (the manifest's relative key here).
TRANSFORM_OUTPUT_SUFFIX = ".out"


def build_scoring_run_input(
    obj: CreatedObject, names: ScoringNames, runs_prefix: str, scoring: ScoringConfig
) -> dict[str, Any]:
    """Every name, URI and key a scoring run needs, derived once so the states only read them.

    The transform job reads the uploaded key only: its input is a manifest file listing the key's folder
    and its name (an S3Prefix of the key would also match `a.csv.old`), so its output is `<name>.out`."""
    folder, file_name = posixpath.split(obj.key)
    folder_uri = f"s3://{obj.bucket}/{folder}/" if folder else f"s3://{obj.bucket}/"
    predictions_key_prefix = f"{scoring.predictions_prefix}{names.run_id}/"
    keys = {
        "transform_input": f"{runs_prefix}{names.run_id}/{scoring.outputs['transform_input']}",
        "predictions_prefix": predictions_key_prefix,
        "predictions": f"{predictions_key_prefix}{file_name}{TRANSFORM_OUTPUT_SUFFIX}",
        "manifest": f"{predictions_key_prefix}{scoring.outputs['manifest']}",
    }
    return {
        "run_id": names.run_id,
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
            "transform_job": names.transform_job,
            "model": names.model,
        },
        "outputs": {name: f"s3://{obj.bucket}/{key}" for name, key in sorted(keys.items())},
        # The same locations as keys of the source's bucket, for the S3 API calls of the state machine.
        "output_keys": dict(sorted(keys.items())),
        "transform_input_entries": [{"prefix": folder_uri}, file_name],
        "started_by": {"kind": "upload", "source_uri": obj.uri},
    }
