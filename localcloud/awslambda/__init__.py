"""Lambda: functions run their deployed package in a Python subprocess instead of Docker.

`invoke` handles the Invoke API and S3 notifications (retries, on-failure destinations, logs);
`runtime.py` is the bootstrap the subprocess runs. `PATCHES` lists the changes to moto.
"""

from __future__ import annotations

from localcloud.awslambda import invoke

PATCHES = invoke.PATCHES
