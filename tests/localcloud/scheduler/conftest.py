"""A local cloud whose scheduler thread is off: the tests fire schedules with `fire_due_schedules(now)`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localcloud import config
from localcloud.scheduler import firing
from localcloud.server import LocalCloud, start_in_thread


@pytest.fixture(scope="module")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path_factory.mktemp("localcloud-state")))
        env.setenv(firing.TICK_ENV_VAR, "0")
        handle = start_in_thread(port=0)
        try:
            yield handle
        finally:
            handle.stop()
