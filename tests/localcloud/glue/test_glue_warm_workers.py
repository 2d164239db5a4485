"""Warm Glue workers: Spark kept running between job runs, each run as clean as in a process of its own."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud.glue import runner, worker_pool

pytestmark = pytest.mark.spark

# Writes what it finds, then leaves behind everything a run could leak into the next.
LEAKY_SCRIPT = textwrap.dedent(
    """
    import json, os, pathlib, sys
    from pyspark.sql import SparkSession

    output = pathlib.Path(sys.argv[sys.argv.index("--output_uri") + 1])
    spark = SparkSession.builder.getOrCreate()
    context = spark.sparkContext
    found = {
        "pid": os.getpid(),
        "argv": sys.argv[1:],
        "shuffle_partitions": spark.conf.get("spark.sql.shuffle.partitions"),
        "temp_views": sorted(t.name for t in spark.catalog.listTables() if t.isTemporary),
        "global_temp_views": sorted(t.name for t in spark.catalog.listTables("global_temp")),
        "cache_empty": spark._jsparkSession.sharedState().cacheManager().isEmpty(),
        "job_group": context.getLocalProperty("spark.jobGroup.id"),
        "leaked_variable": os.environ.get("LEAKED_BY_A_RUN"),
        "helper_module_loaded": "leaky_helper" in sys.modules,
    }
    output.mkdir(parents=True, exist_ok=True)
    (output / "found.json").write_text(json.dumps(found))

    spark.conf.set("spark.sql.shuffle.partitions", "3")
    frame = spark.range(10)
    frame.createOrReplaceTempView("leaky_view")
    frame.createOrReplaceGlobalTempView("leaky_global_view")
    frame.cache().count()
    context.setJobGroup("leaky-group", "left behind")
    os.environ["LEAKED_BY_A_RUN"] = "yes"
    pathlib.Path(__file__).with_name("leaky_helper.py").write_text("VALUE = 1\\n")
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    import leaky_helper  # noqa: F401
    if "--fail_with" in sys.argv:
        raise ValueError(sys.argv[sys.argv.index("--fail_with") + 1])
    if "--exit_with" in sys.argv:
        sys.exit(int(sys.argv[sys.argv.index("--exit_with") + 1]))
    if "--stop_spark" in sys.argv:
        spark.stop()
    """
)


@pytest.fixture
def leaky_job(aws: Callable[[str], Any], bucket: str, role_arn: str, unique_name: str) -> str:
    aws("s3").put_object(Bucket=bucket, Key="scripts/leaky.py", Body=LEAKY_SCRIPT.encode())
    aws("glue").create_job(
        Name=unique_name,
        Role=role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/scripts/leaky.py"},
        GlueVersion="5.0",
    )
    return unique_name


@pytest.fixture
def run_leaky(
    aws: Callable[[str], Any], run_glue_job: Callable[..., dict], leaky_job: str, bucket: str
) -> Callable[..., tuple[dict, dict]]:
    runs = iter(range(1000))

    def run(**extra_arguments: str) -> tuple[dict, dict]:
        prefix = f"out/{next(runs)}/"
        arguments = {"--output_uri": f"s3://{bucket}/{prefix}", **extra_arguments}
        job_run = run_glue_job(leaky_job, arguments, timeout=180)
        found = aws("s3").get_object(Bucket=bucket, Key=f"{prefix}found.json")["Body"].read()
        return job_run, json.loads(found)

    return run


CLEAN = {
    "shuffle_partitions": "200",
    "temp_views": [],
    "global_temp_views": [],
    "cache_empty": True,
    "job_group": None,
    "leaked_variable": None,
    "helper_module_loaded": False,
}


def _clean_part(found: dict) -> dict:
    return {name: found[name] for name in CLEAN}


def test_a_run_finds_nothing_the_previous_run_left_on_the_same_warm_worker(
    run_leaky: Callable[..., tuple[dict, dict]],
) -> None:
    first_run, first = run_leaky()
    second_run, second = run_leaky()

    assert (first_run["JobRunState"], second_run["JobRunState"]) == ("SUCCEEDED", "SUCCEEDED")
    assert second["pid"] == first["pid"], "the second run did not reuse the warm worker"
    assert _clean_part(first) == CLEAN
    assert _clean_part(second) == CLEAN


def test_failures_read_as_from_a_process_of_its_own(run_leaky: Callable[..., tuple[dict, dict]]) -> None:
    failing = {"--fail_with": "no rows in the upload"}
    warm_run, warm = run_leaky(**failing)
    cold_run, cold = run_leaky(**failing, **{"--localcloud-cold-process": "true"})
    exit_run, _ = run_leaky(**{"--exit_with": "3"})
    after_run, after = run_leaky()

    assert cold["pid"] != warm["pid"]
    assert warm_run["JobRunState"] == cold_run["JobRunState"] == "FAILED"
    assert warm_run["ErrorMessage"] == cold_run["ErrorMessage"] == "ValueError: no rows in the upload"
    assert exit_run["JobRunState"] == "FAILED"
    assert exit_run["ErrorMessage"].startswith("Command failed with exit code 3")
    # A failed run leaves nothing behind either, and the worker stays warm.
    assert after_run["JobRunState"] == "SUCCEEDED"
    assert after["pid"] == warm["pid"]
    assert _clean_part(after) == CLEAN


def test_the_cold_process_argument_is_the_local_clouds_own(
    run_leaky: Callable[..., tuple[dict, dict]],
) -> None:
    warm_run, warm = run_leaky()
    cold_run, cold = run_leaky(**{"--localcloud-cold-process": "true"})

    assert (warm_run["JobRunState"], cold_run["JobRunState"]) == ("SUCCEEDED", "SUCCEEDED")
    assert cold["pid"] != warm["pid"]
    assert runner.COLD_PROCESS_ARGUMENT not in cold["argv"]
    assert _clean_part(cold) == CLEAN


def test_a_script_that_stops_spark_hands_the_next_run_a_new_worker(
    run_leaky: Callable[..., tuple[dict, dict]],
) -> None:
    stopping_run, stopping = run_leaky(**{"--stop_spark": "true"})
    next_run, following = run_leaky()

    assert (stopping_run["JobRunState"], next_run["JobRunState"]) == ("SUCCEEDED", "SUCCEEDED")
    assert following["pid"] != stopping["pid"]
    assert _clean_part(following) == CLEAN


@pytest.fixture
def pool() -> Iterator[worker_pool.WorkerPool]:
    pool = worker_pool.WorkerPool()
    yield pool
    pool.stop_all()


def test_a_run_past_its_timeout_is_killed_with_its_worker(
    pool: worker_pool.WorkerPool, tmp_path: Path
) -> None:
    script = tmp_path / "sleepy.py"
    script.write_text("import time\nprint('started', flush=True)\ntime.sleep(600)\n")
    request = worker_pool.ScriptRequest(
        script=script,
        argv=[],
        cwd=tmp_path,
        environment=runner.spark_environment(tmp_path),
        stdout_path=tmp_path / "stdout.txt",
        stderr_path=tmp_path / "stderr.txt",
    )
    pool.prewarm(request.environment)
    (worker,) = pool._idle  # reached into, to see the process end
    worker.wait_until_ready()

    assert pool.run(request, timeout_seconds=2) is None
    assert worker.process.poll() is not None
    assert pool.idle_count() == 0
    assert "started" in (tmp_path / "stdout.txt").read_text()
