"""`make demo DEMO=scoring`: what the scoring variant changes in demo.tfvars, and what the demo shows after
the training run: a features-only file uploaded under the scoring prefix, the scoring run's states, its
manifest and the first predictions beside the endpoint's answers for the same rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from localcloud import config
from localcloud.s3_uri import split_s3_uri
from localcloud.tools.run_follower import RunResult, StateTiming, find_execution, upload, wait_for_execution
from sample_data import write_churn_csv

SCORING_VARIANT: dict[str, Any] = {"scoring": {"prefix": "score/"}}
SHOWN_PREDICTIONS = 5


def upload_and_follow_scoring(
    s3: Any,
    sfn: Any,
    pipeline: dict[str, Any],
    file_name: str,
    body: bytes,
    *,
    on_state: Callable[[StateTiming], None] | None = None,
    timeout: float = 600.0,
) -> RunResult:
    """Upload `body` as `<scoring prefix><file_name>` of a pipeline and follow the scoring run it starts.

    `pipeline` holds the pipeline's Terraform outputs (`scoring_s3_uri`, `scoring_state_machine_arn`)."""
    bucket, prefix = split_s3_uri(pipeline["scoring_s3_uri"])
    key = prefix + file_name
    version_id = upload(s3, bucket, key, body)
    arn, run_input = find_execution(sfn, pipeline["scoring_state_machine_arn"], key, version_id)
    return wait_for_execution(sfn, arn, run_input, on_state=on_state, timeout=timeout)


def show_scoring(
    port: int,
    pipeline: dict[str, Any],
    rows: int,
    seed: int,
    predict: Callable[[list[list[str]]], list[float]],
    on_state: Callable[[StateTiming], None],
    say: Callable[[str], None],
) -> int:
    """Score `rows` new feature rows and print the manifest and the first predictions; 0 if it succeeded."""
    data = config.PROJECT_ROOT / "build" / "sample-data" / f"churn-features-{rows}-{seed + 2}.csv"
    write_churn_csv(data, rows=rows, seed=seed + 2, features_only=True)
    file_name = f"customers-{time.strftime('%Y%m%d-%H%M%S')}.csv"
    say(f"\nScoring: uploading {rows} feature rows (no label) to {pipeline['scoring_s3_uri']}{file_name}")
    s3 = config.boto3_client("s3", port)
    started = time.monotonic()
    sfn = config.boto3_client("stepfunctions", port)
    result = upload_and_follow_scoring(s3, sfn, pipeline, file_name, data.read_bytes(), on_state=on_state)
    seconds = time.monotonic() - started
    if result.status != "SUCCEEDED" or result.output is None:
        say(f"  scoring run {result.status}: {result.error}\n  {result.cause}")
        return 1
    manifest = result.output["manifest"]
    say(f"  scoring run SUCCEEDED in {seconds:.1f} s from upload ({rows / seconds:,.0f} rows/s end to end)")
    say(f"\nManifest {result.output['manifest_uri']}:")
    for line in json.dumps(manifest, indent=2).splitlines():
        say(f"  {line}")
    bucket, key = split_s3_uri(manifest["predictions_uri"])
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    head = [line.decode() for _, line in zip(range(SHOWN_PREDICTIONS), body.iter_lines(), strict=False)]
    sample = [line.split(",") for line in data.read_text().splitlines()[:SHOWN_PREDICTIONS]]
    served = predict(sample)
    say(f"\nFirst {SHOWN_PREDICTIONS} predictions of the batch job beside the endpoint's for the same rows:")
    say("  batch    endpoint")
    for line, answer in zip(head, served, strict=True):
        say(f"  {float(line):.4f}   {answer:.4f}")
    return 0
