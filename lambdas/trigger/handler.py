"""Lambda entry point `trigger.handler.handler`: configuration, client, and nothing else.

The configuration is validated at import, so a function deployed with a missing or malformed
variable fails on its first invocation with an error that names the variable.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from trigger.config import Config, load_config
from trigger.logs import request_id
from trigger.process import process_event

CONFIG: Config = load_config(os.environ)


@functools.cache
def stepfunctions_client() -> Any:
    """One client per execution environment, reused across warm invocations."""
    import boto3  # the Lambda runtime's boto3; imported here so importing the module stays cheap
    from botocore.config import Config as BotocoreConfig

    return boto3.client(
        "stepfunctions",
        region_name=CONFIG.region,
        config=BotocoreConfig(
            # Worst case of three attempts stays within the function's 30 s timeout.
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=3,
            read_timeout=5,
        ),
    )


@functools.cache
def s3_client() -> Any:
    """Only a scheduled retraining lists the input prefix; made on first use."""
    import boto3
    from botocore.config import Config as BotocoreConfig

    return boto3.client(
        "s3",
        region_name=CONFIG.region,
        config=BotocoreConfig(
            retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=5
        ),
    )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request_id.set(getattr(context, "aws_request_id", None))
    return process_event(event, config=CONFIG, stepfunctions=stepfunctions_client(), s3=s3_client)
