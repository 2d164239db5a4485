"""Bootstrap that runs one Lambda invocation in a fresh Python process, like the Python runtime.

Usage: python localcloud/awslambda/runtime.py <code dir> <module.function> [--serve]

With `--serve` the process is an execution environment kept warm between invocations (`serve`).

The event (JSON) comes on stdin. The handler's return value (JSON) goes to the original stdout;
everything the handler prints or logs goes to stderr, which the caller stores as the function's
log. An uncaught exception is written as the runtime's error document
(`errorMessage`, `errorType`, `stackTrace`) and the process exits with status 1.

Only the standard library is imported here, and this file's folder is removed from `sys.path`,
so the handler sees its deployment package and the runtime's libraries, not the project.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any, TextIO

# Ends an invocation's log in a served environment's stderr (a control character no log line starts with).
INVOCATION_LOG_END = "\x1elocalcloud-invocation-end"


class LambdaContext:
    """The attributes of the Python runtime's context object that handlers commonly use."""

    def __init__(self, timeout_seconds: float) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("LOCALCLOUD_FUNCTION_ARN", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = os.environ.get("LOCALCLOUD_REQUEST_ID") or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error_document(error: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": os.environ.get("LOCALCLOUD_REQUEST_ID", ""),
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def _load_handler(handler_name: str) -> Callable[[Any, Any], Any]:
    module_name, _, function_name = handler_name.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{handler_name}': expected <module>.<function>")
    return getattr(importlib.import_module(module_name), function_name)


def _invoke(handler: Callable[[Any, Any], Any], event_text: str) -> tuple[bool, str]:
    """(whether the handler succeeded, the payload: its result or the error document), as JSON text."""
    context = LambdaContext(float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3")))
    try:
        result = handler(json.loads(event_text or "{}"), context)
    except Exception as error:
        traceback.print_exc()
        return False, json.dumps(_error_document(error))
    try:
        return True, json.dumps(result)
    except (TypeError, ValueError) as error:
        marshal_error = {
            "errorMessage": f"Unable to marshal response: {error}",
            "errorType": "Runtime.MarshalError",
            "requestId": context.aws_request_id,
            "stackTrace": [],
        }
        return False, json.dumps(marshal_error)


def _set_up(code_dir: str) -> TextIO:
    """The handler's package first on the path, its prints in the log; returns the stream for results."""
    sys.path[0] = code_dir
    result_stream = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # prints of the handler belong in the log
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="[%(levelname)s] %(message)s")
    return result_stream


def main(code_dir: str, handler_name: str) -> int:
    """One invocation: the event on stdin, the payload on stdout, exit status 1 when the handler failed."""
    result_stream = _set_up(code_dir)
    try:
        try:
            handler = _load_handler(handler_name)
        except Exception as error:
            traceback.print_exc()
            result_stream.write(json.dumps(_error_document(error)))
            return 1
        succeeded, payload = _invoke(handler, sys.stdin.read())
        result_stream.write(payload)
        return 0 if succeeded else 1
    finally:
        result_stream.flush()


def serve(code_dir: str, handler_name: str) -> int:
    """An execution environment: invocations one after another, as Lambda's runtime loop runs them, so what
    the handler's module keeps (clients, caches) stays between them. Each request is a JSON line on stdin
    (`request_id`, `event` as JSON text); each reply a JSON line on the result stream (`succeeded`,
    `payload`, `init_failed`), then INVOCATION_LOG_END and the request id on stderr, which ends the
    invocation's log. A handler that cannot be imported fails its invocation and ends the environment."""
    result_stream = _set_up(code_dir)
    handler: Callable[[Any, Any], Any] | None = None
    for line in sys.stdin:
        request = json.loads(line)
        os.environ["LOCALCLOUD_REQUEST_ID"] = request["request_id"]
        init_failed = False
        if handler is None:
            try:
                handler = _load_handler(handler_name)
            except Exception as error:
                traceback.print_exc()
                init_failed = True
                succeeded, payload = False, json.dumps(_error_document(error))
        if handler is not None:
            succeeded, payload = _invoke(handler, request["event"])
        reply = {"succeeded": succeeded, "payload": payload, "init_failed": init_failed}
        result_stream.write(json.dumps(reply) + "\n")
        result_stream.flush()
        sys.stdout.flush()
        sys.stderr.write(f"{INVOCATION_LOG_END} {request['request_id']}\n")
        sys.stderr.flush()
        if init_failed:
            return 1
    return 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    serving = arguments[-1:] == ["--serve"]
    if serving:
        arguments = arguments[:-1]
    if len(arguments) != 2:
        sys.exit("usage: runtime.py <code dir> <module.function> [--serve]")
    sys.exit(serve(*arguments) if serving else main(*arguments))
