"""Lambda invocation without Docker.

Both the `Invoke` API and the S3 bucket-notification path run the deployed package's handler in an
execution environment (`localcloud/awslambda/runtime.py` in a process of its own, kept warm between
invocations by `environments.py`) with the function's environment variables, region, its execution role's
credentials and `AWS_ENDPOINT_URL` pointing at the local cloud.

- `RequestResponse`: the handler's result is the payload; an uncaught exception gives the error
  document with `X-Amz-Function-Error: Unhandled`, as AWS does.
- `Event` (and S3 notifications): runs in a thread, so the caller (e.g. PutObject) returns at once.
  A failure is retried `MaximumRetryAttempts` times (default 2, as AWS) and then sent to the
  function's on-failure destination (SQS or SNS) in AWS's destination record format.
- Logs go to CloudWatch Logs group `/aws/lambda/<name>` of the local cloud and to
  `.localcloud/logs/lambda/<name>.log`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.core.utils import iso_8601_datetime_with_milliseconds
from moto.s3 import notifications as s3_notifications

from localcloud import config, patching, shared_state
from localcloud.awslambda import environments
from localcloud.iam import authorization, role_sessions
from localcloud.iam.role_sessions import RoleSession

LOG = logging.getLogger(__name__)

RUNTIME = Path(__file__).resolve().parent / "runtime.py"
DEFAULT_ASYNC_RETRIES = 2
# AWS waits minutes between async retries; locally a short pause keeps the behaviour observable.
ASYNC_RETRY_DELAY_SECONDS = 1.0
LOG_TAIL_BYTES = 4096


@dataclass(frozen=True)
class Invocation:
    payload: bytes
    function_error: str | None
    logs: str
    request_id: str


def _code_dir(function: LambdaFunction) -> Path:
    """The function's deployment package, unpacked once per code version."""
    digest = hashlib.sha256(function.code_bytes).hexdigest()[:16]
    target = shared_state.work_root("lambda") / function.function_name / digest
    if not target.exists():
        staging = target.with_name(f"{digest}.{uuid.uuid4().hex}.tmp")
        with zipfile.ZipFile(io.BytesIO(function.code_bytes)) as package:
            package.extractall(staging)
        try:
            staging.rename(target)
        except OSError:  # another invocation unpacked the same version first
            if not target.exists():
                raise
    return target


LAMBDA_SERVICE_PRINCIPAL = "lambda.amazonaws.com"


def execution_role_session(function: LambdaFunction) -> RoleSession:
    """The function's execution role, assumed as Lambda does (session named after the function)."""
    return role_sessions.assume_role_as_service(
        function.role, LAMBDA_SERVICE_PRINCIPAL, session_name=function.function_name
    )


def _environment(function: LambdaFunction, request_id: str, session: RoleSession) -> dict[str, str]:
    env = {key: os.environ[key] for key in ("PATH", "LANG", "TZ", "JAVA_HOME") if key in os.environ}

    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.run_time}",
            "LOCALCLOUD_FUNCTION_ARN": function.function_arn,
            "LOCALCLOUD_REQUEST_ID": request_id,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({key: str(value) for key, value in (function.environment_vars or {}).items()})
    # The handler's SDK calls are made with the execution role's temporary credentials, as on Lambda; set
    # last because AWS reserves these keys (a function's own AWS_ACCESS_KEY_ID cannot replace them).
    env.update(session.environment())
    return env


def invoke_function(function: LambdaFunction, event: bytes) -> Invocation:
    """Run the handler once; errors of the handler are returned, not raised."""
    request_id = str(uuid.uuid4())
    if not (function.run_time or "").startswith("python"):
        error = {
            "errorType": "Runtime.InvalidRuntime",
            "errorMessage": f"local cloud runs only Python functions, not {function.run_time!r}",
        }
        return Invocation(json.dumps(error).encode(), "Unhandled", error["errorMessage"], request_id)
    try:
        session = execution_role_session(function)
    except role_sessions.RoleAssumptionDenied as error:
        denied = {
            "errorType": "AccessDeniedException",
            "errorMessage": f"The role defined for the function cannot be assumed by Lambda. {error}",
        }
        return Invocation(json.dumps(denied).encode(), "Unhandled", denied["errorMessage"], request_id)
    started = time.monotonic()
    command = [sys.executable, str(RUNTIME), str(_code_dir(function)), function.handler]
    environment = _environment(function, request_id, session)
    if environments.warm_environments_from_environment() > 0:
        outcome = environments.POOL.invoke(
            function.function_arn,
            _configuration_key(function, command),
            command,
            environment,
            request_id,
            event,
            float(function.timeout),
        )
    else:
        outcome = _invoke_in_a_process_of_its_own(command, environment, event, float(function.timeout))
    payload, function_error = _answer(outcome, request_id, float(function.timeout))
    logs = outcome.logs
    duration_ms = (time.monotonic() - started) * 1000
    _save_logs(function, request_id, logs, duration_ms, function_error, session)
    return Invocation(payload, function_error, logs, request_id)


def _configuration_key(function: LambdaFunction, command: list[str]) -> str:
    """What an execution environment is started with; an update of any of it needs new environments. The
    command names the code version (its unpacked folder is named by the package's digest) and the handler."""
    return environments.configuration_key(
        function.function_arn,
        command,
        function.run_time,
        function.timeout,
        function.memory_size,
        function.role,
        function.environment_vars or {},
    )


def _invoke_in_a_process_of_its_own(
    command: list[str], environment: dict[str, str], event: bytes, timeout_seconds: float
) -> environments.Outcome:
    try:
        completed = subprocess.run(
            command, input=event, capture_output=True, env=environment, timeout=timeout_seconds, check=False
        )
    except subprocess.TimeoutExpired as expired:
        return environments.Outcome(
            None, False, (expired.stderr or b"").decode(errors="replace"), timed_out=True
        )
    logs = completed.stderr.decode(errors="replace")
    if completed.returncode not in (0, 1) or not completed.stdout:
        return environments.Outcome(None, False, logs, returncode=completed.returncode)
    return environments.Outcome(completed.stdout, completed.returncode == 0, logs)


def _answer(
    outcome: environments.Outcome, request_id: str, timeout_seconds: float
) -> tuple[bytes, str | None]:
    """The invocation's payload and function error, as Lambda reports them."""
    if outcome.timed_out:
        timed_out = {
            "errorMessage": f"{time.strftime('%Y-%m-%dT%H:%M:%S')}Z {request_id} Task timed out after "
            f"{timeout_seconds:.2f} seconds"
        }
        return json.dumps(timed_out).encode(), "Unhandled"
    if outcome.payload is None:
        exited = {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: "
            f"Runtime exited with error: exit status {outcome.returncode}",
        }
        return json.dumps(exited).encode(), "Unhandled"
    return outcome.payload, None if outcome.succeeded else "Unhandled"


def _save_logs(
    function: LambdaFunction,
    request_id: str,
    logs: str,
    duration_ms: float,
    function_error: str | None,
    session: RoleSession,
) -> None:
    lines = [f"START RequestId: {request_id} Version: $LATEST", *logs.splitlines()]
    if function_error:
        lines.append(f"RequestId: {request_id} Error: invocation failed ({function_error})")
    lines.append(f"END RequestId: {request_id}")
    lines.append(f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms")
    text = "\n".join(lines)
    log_file = config.logs_dir() / "lambda" / f"{function.function_name}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("a") as handle:
        handle.write(text + "\n")
    # Lambda writes the function's logs with its execution role and drops them, without failing the
    # invocation, when the role may not: recorded for the access report, never raised.
    stream_arn = (
        f"arn:aws:logs:{config.REGION}:{config.ACCOUNT_ID}:log-group:{function.logs_group_name}"
        f":log-stream:{time.strftime('%Y/%m/%d')}/[$LATEST]{request_id.replace('-', '')}"
    )
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        authorization.authorize(session, action, [stream_arn], deny_raises=False)
    try:
        function.logs_backend.ensure_log_group(function.logs_group_name)
        function.save_logs(text)
    except Exception:  # the file log above already holds the record
        LOG.exception("could not write CloudWatch logs of %s", function.function_name)


def _on_failure_destination(function: LambdaFunction) -> tuple[str | None, int]:
    if not function.event_invoke_config:
        return None, DEFAULT_ASYNC_RETRIES
    settings = function.event_invoke_config[0].config
    destination = settings.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    return destination, int(settings.get("MaximumRetryAttempts", DEFAULT_ASYNC_RETRIES))


def _failure_record(function: LambdaFunction, event: bytes, last: Invocation, attempts: int) -> dict:
    return {
        "version": "1.0",
        "timestamp": iso_8601_datetime_with_milliseconds(),
        "requestContext": {
            "requestId": last.request_id,
            "functionArn": f"{function.function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": json.loads(event or b"{}"),
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": last.function_error,
        },
        "responsePayload": json.loads(last.payload or b"null"),
    }


def _send_to_destination(function: LambdaFunction, destination: str, record: dict) -> None:
    """Send as Lambda does: by the destination's ARN, with the function's execution role."""
    service = destination.split(":")[2]
    body = json.dumps(record)
    session = execution_role_session(function)
    if service == "sqs":
        # Lambda addresses the queue by ARN; the URL lookup is local plumbing, not a call of the role.
        queue_url = config.boto3_client("sqs").get_queue_url(QueueName=destination.rsplit(":", 1)[1])[
            "QueueUrl"
        ]
        session.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)
    elif service == "sns":
        session.client("sns").publish(TopicArn=destination, Message=body)
    else:
        raise ValueError(f"on-failure destination {destination} is not supported by the local cloud")


def invoke_async(function: LambdaFunction, event: bytes) -> None:
    """Invoke as AWS does for `Event`: retry, then hand the failure to the on-failure destination."""
    destination, retries = _on_failure_destination(function)
    attempts = 0
    while True:
        attempts += 1
        invocation = invoke_function(function, event)
        if invocation.function_error is None:
            return
        LOG.error(
            "Lambda %s failed (attempt %d of %d): %s",
            function.function_name,
            attempts,
            retries + 1,
            invocation.payload.decode(errors="replace"),
        )
        if attempts > retries:
            break
        time.sleep(ASYNC_RETRY_DELAY_SECONDS * attempts)
    if destination is None:
        LOG.error(
            "Lambda %s: event dropped after %d attempts (no on-failure destination)",
            function.function_name,
            attempts,
        )
        return
    try:
        _send_to_destination(function, destination, _failure_record(function, event, invocation, attempts))
    except Exception:
        LOG.exception("Lambda %s: could not send the failed event to %s", function.function_name, destination)


def _start_async(function: LambdaFunction, event: bytes) -> None:
    threading.Thread(
        target=invoke_async, args=(function, event), name=f"lambda-{function.function_name}", daemon=True
    ).start()


def _invoke(self: LambdaFunction, body: Any, request_headers: Any, response_headers: Any) -> bytes:
    event = body.encode() if isinstance(body, str) else (body or b"{}")
    invocation_type = request_headers.get("x-amz-invocation-type", "RequestResponse")
    if invocation_type == "DryRun":
        return b""
    if invocation_type == "Event":
        _start_async(self, event)
        return b""
    invocation = invoke_function(self, event)
    if invocation.function_error:
        response_headers["x-amz-function-error"] = invocation.function_error
    tail = invocation.logs.encode()[-LOG_TAIL_BYTES:]
    response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
    response_headers["x-amz-executed-version"] = "$LATEST"
    return invocation.payload


def _invoke_from_s3_notification(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
    from moto.awslambda.utils import get_backend

    try:
        function = get_backend(account_id, region_name).get_function(fn_arn)
    except Exception:
        # AWS accepts the upload even when the target is gone; the notification is lost, but loudly.
        LOG.exception("S3 notification for missing Lambda function %s", fn_arn)
        return
    _start_async(function, json.dumps(event_body).encode())


# Replaced, not wrapped: moto's `invoke` runs every invocation type synchronously in a Docker
# container and labels uncaught errors `Handled`, and its `_invoke_awslambda` calls that synchronously
# and drops every error; no part of either applies to an asynchronous subprocess invocation.
PATCHES = (
    patching.replace(__name__, LambdaFunction, "invoke", fingerprint="dadc324f30aed38b", replacement=_invoke),
    patching.replace(
        __name__,
        s3_notifications,
        "_invoke_awslambda",
        fingerprint="3e321d949008d14e",
        replacement=_invoke_from_s3_notification,
    ),
)
