"""End to end, offline: `make demo` as a user runs it, twice on one local cloud kept up between the two.

The first demo applies the root configuration and shows a create, a canary rollout under live traffic and
the rollback of a schema-changed model. The second finds everything deployed: Terraform only plans, and
its first upload, which now updates a serving endpoint, is the rollout shown under live traffic, so the
separate new-data upload is left out. Both must end with the rollback shown, exit 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud import config
from localcloud.tools.demo import DEMO_PIPELINE, run_demo

pytestmark = pytest.mark.e2e

# Its own seed: the demo writes its sample files under build/sample-data, which other tests also use.
SEED = 4242
ROWS = 1500


@pytest.fixture()
def demo_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The demo's Terraform working copy lives under the state folder: a test's must not be the user's.
    monkeypatch.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path))
    return tmp_path


def _demo(port: int, capsys: pytest.CaptureFixture[str]) -> str:
    status = run_demo(port, rows=ROWS, seed=SEED, keep_running=False)
    printed = capsys.readouterr().out
    assert status == 0, printed
    return printed


def test_demo_then_demo_again_on_the_kept_up_cloud(
    cloud_port: int, demo_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _demo(cloud_port, capsys)
    assert "Using the local cloud already running" in first
    assert "  applied in " in first
    assert "serves an earlier demo's model" not in first
    assert "Second upload (new data): the endpoint update rolls out canary" in first
    assert "as designed: rolled back" in first
    assert (demo_state / "terraform" / "localcloud-demo").is_dir()

    again = _demo(cloud_port, capsys)
    assert "  no changes: planned in " in again
    assert (
        f"endpoint {DEMO_PIPELINE}-endpoint serves an earlier demo's model, so this upload updates it"
        in again
    )
    assert "Baking step 1 of 2 (canary" in again.split("The model registry")[0]
    assert "Second upload (new data): left out" in again
    assert "as designed: rolled back" in again
    assert again.count("run SUCCEEDED") == 1 and again.count("run FAILED: EndpointUpdateRolledBack") == 1
