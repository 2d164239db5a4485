"""The in-process local cloud fixtures that test folders share (imported by their conftest.py).

Module scope, not session: the local cloud changes process-wide moto settings, which other test folders
using plain `mock_aws` must not see; `stop()` restores them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from localcloud import config
from localcloud.server import LocalCloud, start_in_thread


@pytest.fixture(scope="module")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path_factory.mktemp("localcloud-state")))
        handle = start_in_thread(port=0)
        try:
            yield handle
        finally:
            handle.stop()


@pytest.fixture(scope="module")
def aws(local_cloud: LocalCloud) -> Callable[[str], Any]:
    """boto3 client factory for the running local cloud."""
    return lambda service: config.boto3_client(service, local_cloud.port)
