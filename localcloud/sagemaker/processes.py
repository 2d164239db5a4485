"""The environment of SageMaker's subprocesses: the training container and the model servers."""

from __future__ import annotations

import os

from localcloud import config


def subprocess_env() -> dict[str, str]:
    """Environment for the container and model server processes."""
    env = dict(os.environ)
    # The entry point must import this package even when the server was started from elsewhere.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(config.PROJECT_ROOT), env.get("PYTHONPATH")]))
    # OpenMP threads spin while waiting by default; on a shared 2-core machine that made a 0.2 s
    # training take seconds. Passive waiting changes speed only, not the model.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env
