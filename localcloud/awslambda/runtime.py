"""Bootstrap that runs one Lambda invocation in a fresh Python process, like the Python runtime.

Usage: python localcloud/awslambda/runtime.py <code dir> <module.function>

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
from typing import Any


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


def main(code_dir: str, handler_name: str) -> int:
    sys.path[0] = code_dir
    result_stream = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # prints of the handler belong in the log
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="[%(levelname)s] %(message)s")
    try:
        module_name, _, function_name = handler_name.rpartition(".")
        if not module_name:
            raise ValueError(f"Bad handler '{handler_name}': expected <module>.<function>")
        handler = getattr(importlib.import_module(module_name), function_name)
        event = json.loads(sys.stdin.read() or "{}")
        context = LambdaContext(float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3")))
        result = handler(event, context)
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as error:
            marshal_error = {
                "errorMessage": f"Unable to marshal response: {error}",
                "errorType": "Runtime.MarshalError",
                "requestId": context.aws_request_id,
                "stackTrace": [],
            }
            result_stream.write(json.dumps(marshal_error))
            return 1
        result_stream.write(payload)
        return 0
    except Exception as error:
        traceback.print_exc()
        result_stream.write(json.dumps(_error_document(error)))
        return 1
    finally:
        result_stream.flush()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: runtime.py <code dir> <module.function>")
    sys.exit(main(sys.argv[1], sys.argv[2]))
