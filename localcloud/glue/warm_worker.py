"""A Python process that keeps Spark's JVM running and runs one Glue script after another in it.

Started by `worker_pool.py` as `python -m localcloud.glue.warm_worker <reply fd>` in a folder of its own.
It starts a Spark session once (the 4 s a cold job run pays) and runs a small job like an ETL's, so the
first job run finds the JVM's code loaded and compiled; then it reads one request per line on stdin and
answers each on the reply pipe, one JSON line: `{"returncode": N}` once the script has ended.

Each run gets what a fresh Glue process gives it:
- its own arguments (`sys.argv`), working directory and environment (the job role's credentials);
- its own output: file descriptors 1 and 2 point at the run's files while it runs, so the JVM's log
  lines land there too, as they would in a process of its own;
- a clean Spark session: `newSession()` (own SQL configuration, temporary views, functions), made the
  active and default one so `SparkSession.builder.getOrCreate()` and `getActiveSession()` return it;
  afterwards cached data is dropped, global temporary views too (shared by all sessions), and the
  modules the script imported from its own folder are forgotten;
- its own failure: an exception ends the run with exit code 1 and Python's traceback on stderr, as
  the interpreter would print it; `sys.exit(n)` ends it with n.

A script that stops the SparkContext leaves nothing to keep warm: the worker answers, then exits, and
the pool starts another. Requests are JSON objects with `script`, `argv`, `cwd`, `environment`,
`stdout_path`, `stderr_path`.
"""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import shutil
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# What a script may set on the SparkContext for its thread (setJobGroup, setJobDescription, pools).
_LOCAL_PROPERTIES = (
    "spark.jobGroup.id",
    "spark.job.description",
    "spark.job.interruptOnCancel",
    "spark.scheduler.pool",
)


def _base_session() -> SparkSession:
    # The settings the job script's own builder would use (glue/etl_job.py `_spark_session`).
    return (
        SparkSession.builder.appName("localcloud-glue-warm-worker")
        .master("local[*]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def _warm_up(spark: SparkSession, folder: Path) -> None:
    """Run once what an ETL run does (read text, split, match, hash, aggregate, write), so the JVM has
    loaded and compiled it before the first job run: about 3 s of that run's time on 2 cores."""
    source, target = folder / "warm-up.csv", folder / "warm-up-output"
    source.write_text("".join(f"{index % 2},{index}.5,{index}\n" for index in range(500)))
    lines = spark.read.text(str(source))
    fields = F.split("value", ",")
    shaped = lines.select(
        F.sha2(F.col("value"), 256).alias("hash"),
        F.col("value").rlike("^[0-9.,-]+$").alias("numeric"),
        fields.getItem(0).cast("double").alias("label"),
        F.size(fields).alias("columns"),
    )
    shaped.groupBy("numeric", "columns").count().collect()
    shaped.write.mode("overwrite").csv(str(target))
    shaped.write.mode("overwrite").json(str(target))
    shutil.rmtree(target, ignore_errors=True)
    source.unlink()


def _make_current(session: SparkSession) -> None:
    """What `getOrCreate()` and `getActiveSession()` return, on the Python and the JVM side."""
    jvm_session_class = session.sparkContext._jvm.org.apache.spark.sql.SparkSession  # type: ignore[union-attr]
    jvm_session_class.setActiveSession(session._jsparkSession)
    jvm_session_class.setDefaultSession(session._jsparkSession)
    SparkSession._instantiatedSession = session
    SparkSession._activeSession = session


@contextlib.contextmanager
def _output_to(stdout_path: str, stderr_path: str) -> Iterator[None]:
    """Point fds 1 and 2 (Python's and the JVM's output) at the run's files, then back."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(stdout_path, "ab") as stdout, open(stderr_path, "ab") as stderr:
        os.dup2(stdout.fileno(), 1)
        os.dup2(stderr.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


@contextlib.contextmanager
def _process_state(request: dict[str, Any]) -> Iterator[None]:
    """The run's argv, working directory and environment; the worker's own restored afterwards."""
    saved_argv, saved_cwd, saved_environment = list(sys.argv), os.getcwd(), dict(os.environ)
    saved_path = list(sys.path)
    script_folder = str(Path(request["script"]).parent)
    modules_before = set(sys.modules)
    sys.argv = [request["script"], *request["argv"]]
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["environment"])
    sys.path.insert(0, script_folder)  # as `python script.py` does
    try:
        yield
    finally:
        for name in set(sys.modules) - modules_before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(script_folder + os.sep):
                del sys.modules[name]
        sys.argv, sys.path[:] = saved_argv, saved_path
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environment)


def _run_script(script: str) -> int:
    """The script as `python script.py` runs it; its exit code."""
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_request:
        code = exit_request.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)  # as the interpreter does with sys.exit("message")
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def _forget_run(base: SparkSession, run_session: SparkSession) -> None:
    run_session.catalog.clearCache()  # cached data lives in the state all sessions share
    for table in run_session.catalog.listTables("global_temp"):
        run_session.catalog.dropGlobalTempView(table.name)
    for name in _LOCAL_PROPERTIES:  # null removes the property
        base.sparkContext.setLocalProperty(name, None)  # type: ignore[arg-type]
    _make_current(base)


def _context_stopped(session: SparkSession) -> bool:
    java_context = session.sparkContext._jsc
    return java_context is None or java_context.sc().isStopped()


def run_one(base: SparkSession, request: dict[str, Any]) -> int:
    run_session = base.newSession()
    _make_current(run_session)
    with _output_to(request["stdout_path"], request["stderr_path"]), _process_state(request):
        returncode = _run_script(request["script"])
    if not _context_stopped(base):
        _forget_run(base, run_session)
    return returncode


def main(reply_fd: int) -> int:
    base = _base_session()
    _warm_up(base, Path.cwd())
    with os.fdopen(reply_fd, "w", buffering=1) as replies:
        replies.write(json.dumps({"ready": True}) + "\n")
        for line in sys.stdin:
            request = json.loads(line)
            returncode = run_one(base, request)
            stopped = _context_stopped(base)
            replies.write(json.dumps({"returncode": returncode, "spark_stopped": stopped}) + "\n")
            if stopped:
                return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
