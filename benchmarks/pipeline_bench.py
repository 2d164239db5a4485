"""`make bench`: how fast the offline pipeline is, in numbers (a script, not a test).

Prints, for the generated sample data (3,000 rows unless --rows): terraform apply time; for a
first upload (endpoint created) and a second one (endpoint updated with demo.tfvars' canary, its
5-minute bakes on the local cloud's rollout clock, while a caller keeps invoking it), seconds per state
and from upload to InService (for the update also without its configured bakes, which are the deployment
config's waits on the rollout clock), and the requests served during the run by each fleet; a third upload
with one more column, whose canary is rolled back by the 4XX alarm (seconds, requests served, failed); then
latency and throughput of the endpoint through InvokeEndpoint: p50 / p99 of single-row requests and rows
per second for single-row and 1,000-row requests.
Everything it deploys is destroyed at the end.
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.deployed_demo import deployed_demo
from localcloud import config, rollout_clock
from localcloud.sagemaker import endpoints
from localcloud.sagemaker.deployment_config import parse_deployment_config
from localcloud.sagemaker.latency import Target, instant_answers, measure_in_a_client_process
from localcloud.tools.endpoint_traffic import Answer, EndpointTraffic
from localcloud.tools.rollout_watch import traffic_summary
from localcloud.tools.run_follower import RunResult, upload_and_follow
from sample_data import write_churn_csv


def timed_run(port: int, outputs: dict, file_name: str, body: bytes) -> tuple[RunResult, float]:
    s3 = config.boto3_client("s3", port)
    sfn = config.boto3_client("stepfunctions", port)
    started = time.monotonic()
    result = upload_and_follow(s3, sfn, outputs, file_name, body, poll_seconds=0.2)
    return result, time.monotonic() - started


def run_under_traffic(
    port: int, outputs: dict, file_name: str, body: bytes, row: str
) -> tuple[RunResult, float, list[Answer]]:
    runtime = config.boto3_client("sagemaker-runtime", port)
    traffic = EndpointTraffic(runtime, outputs["endpoint_name"], row).start()
    try:
        result, seconds = timed_run(port, outputs, file_name, body)
    finally:
        answers = traffic.stop()
    return result, seconds, answers


def print_run(
    label: str, result: RunResult, upload_to_done: float, answers: list[Answer] | None = None
) -> None:
    print(f"\n{label}: {result.status}")
    if result.status != "SUCCEEDED":
        print(f"  {result.error}: {result.cause}")
    if answers is not None:
        print(f"  live traffic during the run: {traffic_summary(answers)}")
    for stage, seconds in result.stage_seconds().items():
        print(f"  {stage:<38} {seconds:6.2f} s")
    print(f"  {'upload -> InService (wall clock)':<38} {upload_to_done:6.2f} s")


def configured_bake_seconds(port: int, endpoint_name: str) -> float:
    """Real seconds the endpoint's last update was configured to wait (bakes and termination wait), on the
    local cloud's rollout clock: the part of upload -> InService that is the deployment config's, not ours."""
    endpoint = config.boto3_client("sagemaker", port).describe_endpoint(EndpointName=endpoint_name)
    instances = sum(variant.get("CurrentInstanceCount", 0) for variant in endpoint["ProductionVariants"])
    plan = parse_deployment_config(endpoint.get("LastDeploymentConfig"), instances)
    return 0.0 if plan is None else rollout_clock.current().real_seconds(plan.total_wait_seconds)


def print_without_bakes(upload_to_done: float, bakes: float) -> None:
    print(f"  {'of which the configured bakes':<38} {bakes:6.2f} s")
    print(f"  {'upload -> InService without bakes':<38} {upload_to_done - bakes:6.2f} s")


def print_endpoint_latency(
    endpoint_url: str, endpoint_name: str, rows: list[str], single_row_requests: int
) -> None:
    """InvokeEndpoint through the local cloud beside its baselines: the same boto3 requests sent straight to
    the model server behind the endpoint (their ratio is what the local cloud costs a boto3 application, and
    holds on any machine), and the same rows POSTed there with a plain HTTP client."""
    server = endpoints.route(config.ACCOUNT_ID, config.REGION, endpoint_name)
    if server is None:
        raise RuntimeError(f"endpoint {endpoint_name} has no model server to measure")
    # The local cloud serves from this process: the clients run in one of their own, as an application's.
    invocations_url = f"http://{server.host}:{server.port}/invocations"
    with instant_answers() as instant_url:
        reports = measure_in_a_client_process(
            {
                "through": Target.boto3(endpoint_url, endpoint_name),
                "boto3_straight": Target.boto3_straight(invocations_url),
                "straight": Target.http(invocations_url),
                "client_only": Target.boto3(instant_url, endpoint_name),
                "plain_client_only": Target.http(f"{instant_url}/invocations"),
            },
            rows,
            single_row_requests=single_row_requests,
        )
    through, boto3_straight, straight = reports["through"], reports["boto3_straight"], reports["straight"]
    client_only, plain_client_only = reports["client_only"], reports["plain_client_only"]
    print(
        "\nendpoint through InvokeEndpoint (boto3 sagemaker-runtime, local cloud; client in its own process):"
    )
    print("  " + through.format().replace("\n", "\n  "))
    print("baseline, the same InvokeEndpoint requests as boto3 sends them, straight to the model server:")
    print("  " + boto3_straight.format().replace("\n", "\n  "))
    print("the same rows POSTed straight to the model server (http.client, kept-alive):")
    print("  " + straight.format().replace("\n", "\n  "))
    print("boto3's own cost, the same requests to a server that answers at once:")
    print("  " + client_only.format().replace("\n", "\n  "))
    print(f"(the baseline's client against that server: p50 {plain_client_only.single_row_p50_ms:.2f} ms)")
    latency_ratio = through.single_row_p50_ms / boto3_straight.single_row_p50_ms
    plain_latency_ratio = through.single_row_p50_ms / straight.single_row_p50_ms
    throughput_ratio = through.batch_rows_per_second / boto3_straight.batch_rows_per_second
    # The same client work on both sides: what is left is the local cloud between the client and the model.
    hop_ms = through.single_row_p50_ms - boto3_straight.single_row_p50_ms
    print(
        f"through the local cloud: single-row p50 {latency_ratio:.2f}x the baseline's "
        f"({plain_latency_ratio:.2f}x the plain POST's); {through.batch_rows}-row requests at "
        f"{throughput_ratio:.2f}x the baseline's rows/s; the local cloud's hop adds {hop_ms:.2f} ms "
        "to each request"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--single-row-requests", type=int, default=1000)
    args = parser.parse_args(argv)

    with deployed_demo("bench") as demo:
        work_dir, cloud, outputs = demo.work_dir, demo.cloud, demo.outputs
        print(f"terraform apply: {demo.apply_seconds:.1f} s")

        data = work_dir / "churn.csv"
        write_churn_csv(data, rows=args.rows, seed=7)
        first, first_seconds = timed_run(cloud.port, outputs, "bench-1.csv", data.read_bytes())
        print_run(f"first upload ({args.rows} rows, endpoint created)", first, first_seconds)
        production_row = data.read_text().splitlines()[0].split(",", 1)[1]
        write_churn_csv(data, rows=args.rows, seed=8)
        second, second_seconds, answers = run_under_traffic(
            cloud.port, outputs, "bench-2.csv", data.read_bytes(), production_row
        )
        print_run(f"second upload ({args.rows} rows, canary update)", second, second_seconds, answers)
        if second.status != "SUCCEEDED":
            return 1
        print_without_bakes(second_seconds, configured_bake_seconds(cloud.port, outputs["endpoint_name"]))
        changed = work_dir / "churn-extra-column.csv"
        write_churn_csv(changed, rows=args.rows, seed=9, extra_columns=1)
        third, third_seconds, answers = run_under_traffic(
            cloud.port, outputs, "bench-3.csv", changed.read_bytes(), production_row
        )
        print_run(
            f"third upload ({args.rows} rows, one more column: canary rolled back)",
            third,
            third_seconds,
            answers,
        )
        if third.error != "EndpointUpdateRolledBack":
            return 1

        rows = [line.split(",", 1)[1] for line in data.read_text().splitlines()[:1000]]
        print_endpoint_latency(cloud.endpoint_url, outputs["endpoint_name"], rows, args.single_row_requests)
        return 0


if __name__ == "__main__":
    sys.exit(main())
