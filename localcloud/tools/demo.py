"""`make demo`: the whole pipeline on this machine, offline, as a user would run it on AWS.

1. start the local cloud on one loopback port (or reuse one already running there);
2. `terraform plan` the root configuration with environments/demo.tfvars, pointed at the local cloud
   by an override file (see localcloud.tools.terraform), and apply that plan if it changes anything;
3. subscribe a queue to the pipeline's notification topic, as a person subscribes an address;
4. generate sample data and upload it under the bucket's input prefix with boto3;
5. follow the run the S3 notification started, state by state;
6. invoke the endpoint for five rows and print label and prediction, a summary, the model registry's
   entry (`mlops-pipeline versions`) and the notification the run sent;
7. upload new data while a caller keeps invoking the endpoint: the update rolls out with demo.tfvars'
   strategy (a canary), printed step by step with the traffic split and the rollback alarms. A demo run
   again on a kept-up cloud finds the endpoint serving: its first upload (step 4) is then this update,
   shown that way, and this step is left out;
8. upload data whose schema changed (one more column): the model passes its gate but rejects every
   production-shaped request, so the canary trips the 4XX alarm and the endpoint rolls back by itself,
   while the old fleet keeps answering. The run fails `EndpointUpdateRolledBack`, as it should;
9. print every notification the runs sent.

`--variant serverless` (`make demo DEMO=serverless`) applies the same configuration with the pipeline's
endpoint on SageMaker Serverless Inference (`endpoint.serverless`, updated all at once) and shows its
endpoint config and predictions instead of the canary. `--variant tuning` (`make demo DEMO=tuning`) tunes
eta and max_depth before the gate (6 candidates, 2 at once) and prints the candidates, their objective
values and the one the run deployed (localcloud/tools/demo_tuning.py). `--variant scoring` (`make demo
DEMO=scoring`) adds batch scoring (`scoring.prefix = "score/"`): after the training run it uploads feature
rows under score/, follows the scoring run and prints its manifest and first predictions beside the
endpoint's (localcloud/tools/demo_scoring.py). A variant deploys its own pipeline, `churn-xgboost-<variant>`,
from its own working copy, beside the plain demo's in a local cloud kept up between demos.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from localcloud import config, rollout_clock
from localcloud.server import LocalCloud, port_answers, start_in_thread
from localcloud.tools.demo_scoring import SCORING_VARIANT, show_scoring
from localcloud.tools.demo_tuning import TUNING_VARIANT, show_tuning
from localcloud.tools.endpoint_traffic import EndpointTraffic
from localcloud.tools.notification_inbox import NotificationInbox
from localcloud.tools.rollout_watch import RolloutWatch, traffic_summary
from localcloud.tools.run_follower import RunResult, StateTiming, read_json_object, upload_and_follow
from localcloud.tools.terraform import DEMO_VAR_FILES, LocalTerraform
from pipeline_cli.__main__ import main as mlops_pipeline
from sample_data import write_churn_csv

DEMO_PIPELINE = "churn-xgboost"
DEMO_WORKING_COPY = "localcloud-demo"
PREDICTION_ROWS = 5
# The demo's live traffic: a steady caller, as production's would be. A 25 % canary still gets about 125
# requests per 5-second bake; a caller calling back to back (about 300 a second here) took a core of two
# from the Glue job and training job of the run it watches.
DEMO_CALLER_REQUESTS_PER_SECOND = 100.0
# What each variant changes in demo.tfvars' pipeline, applied as one more var file.
VARIANT_SETTINGS: dict[str, dict[str, Any]] = {
    "serverless": {
        "endpoint": {"serverless": {"memory_size_mb": 2048, "max_concurrency": 5}},
        "endpoint_deployment": {"strategy": "all_at_once"},
    },
    "tuning": TUNING_VARIANT,
    "scoring": SCORING_VARIANT,
}


def _say(message: str) -> None:
    print(message, flush=True)


class _StateProgress:
    """Prints each state once when first entered; the endpoint polling loop would repeat them."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, timing: StateTiming) -> None:
        if timing.name not in self.seen:
            self.seen.add(timing.name)
            _say(f"  -> {timing.name}")


def predict_rows(runtime: Any, endpoint_name: str, rows: list[list[str]]) -> list[float]:
    """Invoke the endpoint with feature rows (no label) as text/csv; one prediction per row."""
    payload = "\n".join(",".join(row) for row in rows)
    response = runtime.invoke_endpoint(
        EndpointName=endpoint_name, ContentType="text/csv", Accept="text/csv", Body=payload.encode()
    )
    body = response["Body"].read().decode().strip()
    return [float(value) for value in body.replace("\n", ",").split(",") if value]


def first_rows(path: Path, count: int) -> list[list[str]]:
    with path.open(newline="") as handle:
        return [row for _, row in zip(range(count), csv.reader(handle), strict=False)]


def print_summary(
    result: RunResult, manifest: dict[str, Any], apply_seconds: float, upload_to_done: float
) -> None:
    output = result.output or {}
    metric = output.get("metric") or {}
    _say("\nSummary")
    _say(f"  run id            {result.run_input['run_id']}")
    rows = manifest["rows"]
    _say(
        f"  rows              train {rows['train']}, validation {rows['validation']}, "
        f"rejected {rows['rejected']}"
    )
    _say(f"  gate metric       {metric.get('name')} = {metric.get('value')}")
    _say(f"  model             {output.get('model_name')}")
    _say(f"  registered as     {output.get('model_package_arn')} (Approved)")
    _say(f"  endpoint          {output.get('endpoint_name')}")
    _say(f"  terraform         {apply_seconds:.1f} s (plan, apply if changed)")
    _say("  seconds per stage")
    for stage, seconds in result.stage_seconds().items():
        _say(f"    {stage:<38} {seconds:5.1f}")
    _say(f"    {'whole run (execution start -> end)':<38} {result.seconds:5.1f}")
    _say(f"  upload -> InService (wall clock) {upload_to_done:.1f} s")


def _upload_with_live_traffic(
    port: int, pipeline: dict[str, Any], file_name: str, data_file: Path, production_row: list[str]
) -> RunResult:
    """Upload while a caller keeps invoking the endpoint; print the rollout and the traffic it saw."""
    runtime = config.boto3_client("sagemaker-runtime", port)
    traffic = EndpointTraffic(
        runtime, pipeline["endpoint_name"], ",".join(production_row), DEMO_CALLER_REQUESTS_PER_SECOND
    ).start()
    watch = RolloutWatch(
        config.boto3_client("sagemaker", port),
        config.boto3_client("cloudwatch", port),
        pipeline["endpoint_name"],
        list(pipeline["endpoint_rollback_alarm_names"]),
        traffic,
        _say,
    ).start()
    try:
        result = upload_and_follow(
            config.boto3_client("s3", port),
            config.boto3_client("stepfunctions", port),
            pipeline,
            file_name,
            data_file.read_bytes(),
            on_state=_StateProgress(),
        )
    finally:
        watch.stop()
        answers = traffic.stop()
    _say(f"  run {result.status}{': ' + str(result.error) if result.error else ''}")
    if result.cause:
        _say(f"  {result.cause}")
    _say(f"  live traffic during the run: {traffic_summary(answers)}")
    return result


def endpoint_in_service(sagemaker: Any, endpoint_name: str) -> bool:
    """Whether the endpoint exists and serves (InService), so that an upload now updates it."""
    listed = sagemaker.list_endpoints(NameContains=endpoint_name)["Endpoints"]
    return any(
        endpoint["EndpointName"] == endpoint_name and endpoint["EndpointStatus"] == "InService"
        for endpoint in listed
    )


def _rollout_explained(pipeline: dict[str, Any]) -> str:
    strategy = pipeline["settings"]["endpoint_deployment"]["strategy"]
    return (
        f"the endpoint update rolls out {strategy}, watched by the rollback alarms. The local cloud runs "
        f"rollouts and their alarms' periods {rollout_clock.TIME_SCALE_ENV_VAR} times faster than real time "
        f"(default {rollout_clock.DEFAULT_TIME_SCALE:g}: a 300 s bake lasts 5 s)"
    )


def _show_rollouts(
    port: int,
    pipeline: dict[str, Any],
    rows: int,
    seed: int,
    production_row: list[str],
    update_shown: bool,
) -> int:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    sample_dir = config.PROJECT_ROOT / "build" / "sample-data"
    if update_shown:
        _say("\nSecond upload (new data): left out, the first upload's run rolled out an update already")
    else:
        _say(f"\nSecond upload (new data): {_rollout_explained(pipeline)}")
        fresh = sample_dir / f"churn-{rows}-{seed + 1}.csv"
        write_churn_csv(fresh, rows=rows, seed=seed + 1)
        good = _upload_with_live_traffic(port, pipeline, f"churn-{stamp}-new-data.csv", fresh, production_row)
        if good.status != "SUCCEEDED":
            return 1
    _say(
        "\nThird upload: the same kind of data with one more column, as an upstream schema change "
        "would send. "
        "The model passes its gate but the container rejects production's 69-feature requests (HTTP 400)"
    )
    changed = sample_dir / f"churn-{rows}-{seed + 2}-extra-column.csv"
    write_churn_csv(changed, rows=rows, seed=seed + 2, extra_columns=1)
    bad = _upload_with_live_traffic(
        port, pipeline, f"churn-{stamp}-schema-changed.csv", changed, production_row
    )
    endpoint = config.boto3_client("sagemaker", port).describe_endpoint(
        EndpointName=pipeline["endpoint_name"]
    )
    if bad.error != "EndpointUpdateRolledBack":
        _say(f"\nExpected the schema-changed model to be rolled back; the run ended {bad.status} {bad.error}")
        return 1
    _say(
        f"  as designed: rolled back, the endpoint is {endpoint['EndpointStatus']} on "
        f"{endpoint['EndpointConfigName']} (the previous upload's model)"
    )
    return 0


def demo_pipeline_name(variant: str | None) -> str:
    """The pipeline a demo deploys. A variant's has a name of its own, so that its resources never are the
    plain demo's: a local cloud kept up between demos holds both, as an account holds two pipelines, and
    neither demo's Terraform state claims the other's resources (with one name, `DEMO=serverless` after
    `make demo` tried to turn the real-time endpoint into a serverless one, which SageMaker refuses)."""
    return DEMO_PIPELINE if variant is None else f"{DEMO_PIPELINE}-{variant}"


def variant_pipelines(pipelines: dict[str, Any], variant: str) -> dict[str, Any]:
    """The `pipelines` value of a variant: only the demo pipeline, renamed, with the variant's settings."""
    return {demo_pipeline_name(variant): {**pipelines[DEMO_PIPELINE], **VARIANT_SETTINGS[variant]}}


def _apply_variant(terraform: LocalTerraform, variant: str) -> None:
    """demo.tfvars with the variant's settings for the demo pipeline, as one more var file."""
    pipelines = variant_pipelines(terraform.variable("pipelines"), variant)
    path = config.state_dir() / "demo-variants" / f"{variant}.tfvars.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pipelines": pipelines}, indent=2), encoding="utf-8")
    terraform.var_files = (*DEMO_VAR_FILES, path)
    _say(
        f"Variant {variant}: pipeline {demo_pipeline_name(variant)}, {json.dumps(VARIANT_SETTINGS[variant])} "
        f"(var file {path})"
    )


def _show_serverless(
    port: int, pipeline: dict[str, Any], rows: int, seed: int, sample: list[list[str]]
) -> int:
    sagemaker = config.boto3_client("sagemaker", port)
    endpoint = sagemaker.describe_endpoint(EndpointName=pipeline["endpoint_name"])
    (variant,) = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])[
        "ProductionVariants"
    ]
    _say(
        f"\nEndpoint config {endpoint['EndpointConfigName']}: ServerlessConfig {variant['ServerlessConfig']}"
    )
    _say("  (no instance type or count: nothing runs, and nothing is billed on AWS, between requests)")
    fresh = config.PROJECT_ROOT / "build" / "sample-data" / f"churn-{rows}-{seed + 1}.csv"
    write_churn_csv(fresh, rows=rows, seed=seed + 1)
    _say("\nSecond upload (new data): the serverless endpoint is updated all at once")
    result = upload_and_follow(
        config.boto3_client("s3", port),
        config.boto3_client("stepfunctions", port),
        pipeline,
        f"churn-{time.strftime('%Y%m%d-%H%M%S')}-new-data.csv",
        fresh.read_bytes(),
        on_state=_StateProgress(),
    )
    _say(f"  run {result.status}{': ' + str(result.error) if result.error else ''}")
    if result.status != "SUCCEEDED":
        return 1
    runtime = config.boto3_client("sagemaker-runtime", port)
    predictions = predict_rows(runtime, pipeline["endpoint_name"], [row[1:] for row in sample])
    _say(
        "  the new model's predictions for the same rows: "
        + ", ".join(f"{value:.4f}" for value in predictions)
    )
    return 0


def run_demo(port: int, rows: int, seed: int, keep_running: bool, variant: str | None = None) -> int:
    cloud: LocalCloud | None = None
    if port_answers(port):
        _say(f"Using the local cloud already running on {config.endpoint_url(port)}")
    else:
        # The services log to a file, so this terminal shows the run and the log keeps the details
        # (moto's interpreter logs, for example, every path a Choice state tests and does not find).
        config.logs_dir().mkdir(parents=True, exist_ok=True)
        logging.basicConfig(
            filename=config.server_log_file(),
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        cloud = start_in_thread(port=port)
        _say(f"Started the local cloud on {cloud.endpoint_url} (log: {config.server_log_file()})")
    endpoint_url = config.endpoint_url(port)
    try:
        pipeline_name = demo_pipeline_name(variant)
        # One working copy (one state) per demo pipeline; a variant's is named after its pipeline.
        name = DEMO_WORKING_COPY if variant is None else f"{DEMO_WORKING_COPY}-{pipeline_name}"
        terraform = LocalTerraform(endpoint_url=endpoint_url, name=name)
        # A cloud started just now is empty: state from an earlier demo describes nothing real. Neither does
        # state written against a background cloud that has restarted since (its id changed); this process's
        # own cloud goes with it, so its id is one no later cloud has.
        cloud_instance = config.background_instance_id() if cloud is None else f"demo-{uuid.uuid4().hex}"
        terraform.init(fresh_state=cloud is not None, cloud_instance=cloud_instance)
        if variant is not None:
            _apply_variant(terraform, variant)
        _say(
            "terraform plan, and apply if it changes anything "
            "(root configuration, demo.tfvars, local endpoint override) ..."
        )
        started = time.monotonic()
        deployed = terraform.apply_if_changed_with_outputs()
        apply_seconds = time.monotonic() - started
        pipeline = deployed.outputs["pipelines"][pipeline_name]
        outcome = "applied" if deployed.changed else "no changes: planned"
        _say(f"  {outcome} in {apply_seconds:.1f} s; bucket {pipeline['bucket_name']}")

        data_file = config.PROJECT_ROOT / "build" / "sample-data" / f"churn-{rows}-{seed}.csv"
        write_churn_csv(data_file, rows=rows, seed=seed)
        file_name = f"churn-{time.strftime('%Y%m%d-%H%M%S')}.csv"
        s3 = config.boto3_client("s3", port)
        sfn = config.boto3_client("stepfunctions", port)
        inbox = NotificationInbox.subscribe(
            config.boto3_client("sqs", port),
            config.boto3_client("sns", port),
            pipeline["notification_topic_arn"],
            f"demo-inbox-{time.strftime('%Y%m%d-%H%M%S')}",
        )
        _say(f"Subscribed a queue to {pipeline['notification_topic_arn']} (offline, in place of an e-mail)")
        _wait_for_rollback_alarms(config.boto3_client("cloudwatch", port), pipeline)
        sample = first_rows(data_file, PREDICTION_ROWS)
        # A demo run again on a kept-up cloud finds the endpoint serving the last demo's model: its first
        # upload already is the update the second upload would show, so it is shown with live traffic
        # once, rather than rolled out unwatched and then again.
        updates_serving_endpoint = variant is None and endpoint_in_service(
            config.boto3_client("sagemaker", port), pipeline["endpoint_name"]
        )
        _say(f"Uploading {rows} rows to {pipeline['input_s3_uri']}{file_name}; states of the run it starts:")
        upload_started = time.monotonic()
        if updates_serving_endpoint:
            _say(
                f"  (endpoint {pipeline['endpoint_name']} serves an earlier demo's model, so this upload "
                f"updates it: {_rollout_explained(pipeline)})"
            )
            result = _upload_with_live_traffic(port, pipeline, file_name, data_file, sample[0][1:])
        else:
            result = upload_and_follow(
                s3, sfn, pipeline, file_name, data_file.read_bytes(), on_state=_StateProgress()
            )
        upload_to_done = time.monotonic() - upload_started
        run_input = result.run_input
        if result.status != "SUCCEEDED":
            if not updates_serving_endpoint:  # the live-traffic view printed the outcome already
                _say(f"\nRun {result.status}: {result.error}\n{result.cause}")
            return 1

        runtime = config.boto3_client("sagemaker-runtime", port)
        predictions = predict_rows(runtime, pipeline["endpoint_name"], [row[1:] for row in sample])
        _say(f"\ninvoke_endpoint({pipeline['endpoint_name']}) for {PREDICTION_ROWS} rows:")
        _say("  label  prediction")
        for row, prediction in zip(sample, predictions, strict=True):
            _say(f"  {row[0]:>5}  {prediction:.4f}")
        manifest = read_json_object(s3, run_input["outputs"]["manifest"])
        print_summary(result, manifest, apply_seconds, upload_to_done)
        _say(
            f"\nThe model registry (mlops-pipeline versions --pipeline {pipeline_name} "
            f"--endpoint-url {endpoint_url}):"
        )
        mlops_pipeline(
            ["versions", "--pipeline", pipeline_name, "--limit", "3", "--endpoint-url", endpoint_url]
        )
        _say("\nThe notification this run sent:")
        _say(f"  {inbox.wait_for('serves on endpoint')}")
        if variant == "serverless":
            if _show_serverless(port, pipeline, rows, seed, sample) != 0:
                return 1
            inbox.wait_for("model version 2 (")
        elif variant == "tuning":
            if show_tuning(port, result, _say) != 0:
                return 1
        elif variant == "scoring":
            scored = show_scoring(
                port,
                pipeline,
                rows,
                seed,
                lambda sample: predict_rows(runtime, pipeline["endpoint_name"], sample),
                _StateProgress(),
                _say,
            )
            if scored != 0:
                return 1
        elif (
            _show_rollouts(port, pipeline, rows, seed, sample[0][1:], update_shown=updates_serving_endpoint)
            != 0
        ):
            return 1
        else:
            inbox.wait_for("rolled back")
        _say("\nEvery notification the demo's runs sent (oldest first):")
        for message in inbox.poll():
            _say(f"  {message}")
        if cloud is not None and keep_running:
            _say(f"\nThe local cloud keeps running on {endpoint_url}; Ctrl-C stops it.")
            _wait_forever()
        return 0
    finally:
        if cloud is not None:
            cloud.stop()


def _wait_for_rollback_alarms(
    cloudwatch: Any, pipeline: dict[str, Any], timeout_seconds: float = 180
) -> None:
    """Wait until no rollback alarm is in ALARM. A demo run again soon after the last one finds the 4XX alarm
    its schema-changed canary tripped still in ALARM (the alarm looks at the last minute of requests); a
    deployment started then would roll back at once, as it would on AWS."""
    names = list(pipeline["endpoint_rollback_alarm_names"])
    deadline = time.monotonic() + timeout_seconds
    said = False
    while True:
        alarms = cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"] if names else []
        firing = [alarm["AlarmName"] for alarm in alarms if alarm["StateValue"] == "ALARM"]
        if not firing:
            return
        if not said:
            _say(
                f"Rollback alarms in ALARM from an earlier run: {', '.join(firing)}. A deployment now would "
                "roll back at once (as on AWS); waiting until they leave ALARM ..."
            )
            said = True
        if time.monotonic() > deadline:
            raise RuntimeError(f"rollback alarms still in ALARM after {timeout_seconds:.0f} s: {firing}")
        time.sleep(1)


def _wait_forever() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localcloud.tools.demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--port", type=int, default=config.current_port())
    parser.add_argument("--rows", type=int, default=3000, help="sample rows to generate (default 3000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keep-running", action="store_true", help="keep the local cloud up after the demo (Ctrl-C stops it)"
    )
    parser.add_argument(
        "--variant",
        choices=sorted(VARIANT_SETTINGS),
        help="run demo.tfvars with one option changed (make demo DEMO=<variant>)",
    )
    args = parser.parse_args(argv)
    return run_demo(args.port, args.rows, args.seed, args.keep_running, args.variant)


if __name__ == "__main__":
    sys.exit(main())
