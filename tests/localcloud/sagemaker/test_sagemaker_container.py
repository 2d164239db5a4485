"""The training entry point run as SageMaker runs the container: a subprocess over an /opt/ml layout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

from localcloud.config import PROJECT_ROOT
from localcloud.sagemaker import xgboost_container

ENTRY_POINT = (sys.executable, "-m", "localcloud.sagemaker.xgboost_container")
HYPERPARAMETERS = {
    "num_round": "8",
    "objective": "binary:logistic",
    "eval_metric": "error,auc",
    "max_depth": "3",
}


def _layout(root: Path, hyperparameters: dict[str, str], rows: int = 120) -> Path:
    rng = np.random.default_rng(7)
    features = rng.normal(size=(rows, 4))
    labels = (features[:, 0] - features[:, 2] > 0).astype(int)
    data = np.column_stack([labels, features])
    config = root / "input" / "config"
    config.mkdir(parents=True)
    (config / "hyperparameters.json").write_text(json.dumps(hyperparameters))
    (config / "inputdataconfig.json").write_text(
        json.dumps(
            {
                "train": {"ContentType": "text/csv", "TrainingInputMode": "File"},
                "validation": {"ContentType": "text/csv", "TrainingInputMode": "File"},
            }
        )
    )
    (config / "resourceconfig.json").write_text(json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]}))
    split = rows * 3 // 4
    for channel, block in (("train", data[:split]), ("validation", data[split:])):
        directory = root / "input" / "data" / channel
        directory.mkdir(parents=True)
        np.savetxt(directory / "part-00000.csv", block, delimiter=",", fmt="%.6g")
    return root


def _run_in_process(root: Path, version: str = xgb.__version__) -> int:
    """The same entry point without a new interpreter: failure cases need no process isolation."""
    return xgboost_container.main(["--ml-root", str(root), "--xgboost-version", version])


def _run(root: Path, version: str = xgb.__version__) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENTRY_POINT, "--ml-root", str(root), "--xgboost-version", version],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_trains_and_writes_model_and_metric_lines(tmp_path: Path) -> None:
    root = _layout(tmp_path, HYPERPARAMETERS)
    result = _run(root)
    assert result.returncode == 0, result.stderr
    round_lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(round_lines) == 8
    assert round_lines[-1].startswith("[7]\ttrain-error:")
    assert "\tvalidation-auc:" in round_lines[-1]
    model_file = root / "model" / "xgboost-model"
    assert model_file.read_bytes()[:1] == b"{"  # UBJSON, as xgboost 3 saves an extension-less name
    booster = xgb.Booster(model_file=str(model_file))
    assert booster.num_boosted_rounds() == 8
    assert not (root / "output" / "failure").exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda root: (root / "input/data/train/_SUCCESS").write_text(""), "hidden file '_SUCCESS'"),
        (lambda root: (root / "input/data/train/.part-00000.csv.crc").write_text("x"), "hidden file '.part"),
        (
            lambda root: (root / "input/data/train/part-00001.csv").write_text("1,0.5,abc,0.1,0.2\n"),
            "Failed to load csv data of channel 'train' from file part-00001.csv",
        ),
        (
            lambda root: (root / "input/config/hyperparameters.json").write_text(
                '{"objective": "binary:logistic"}'
            ),
            "Missing required hyperparameter: num_round",
        ),
        (
            lambda root: (root / "input/config/inputdataconfig.json").write_text('{"train": {}}'),
            "channel 'train' has no ContentType",
        ),
    ],
)
def test_bad_input_fails_with_client_error_in_output_failure(tmp_path: Path, change, expected: str) -> None:
    root = _layout(tmp_path, HYPERPARAMETERS)
    change(root)
    assert _run_in_process(root) == 1
    failure = (root / "output" / "failure").read_text()
    assert failure.startswith("ClientError: ")
    assert expected in failure
    assert not (root / "model" / "xgboost-model").exists()


def test_labels_outside_0_1_for_logistic_are_a_client_error(tmp_path: Path) -> None:
    root = _layout(tmp_path, HYPERPARAMETERS)
    (root / "input/data/train/part-00001.csv").write_text("3,0.1,0.2,0.3,0.4\n")
    assert _run_in_process(root) == 1
    assert (root / "output" / "failure").read_text().startswith("ClientError: ")
    assert "label must be in [0,1]" in (root / "output" / "failure").read_text()


def test_refuses_to_train_with_another_xgboost_version(tmp_path: Path) -> None:
    root = _layout(tmp_path, HYPERPARAMETERS)
    assert _run_in_process(root, version="1.7.4") == 1
    failure = (root / "output" / "failure").read_text()
    assert failure.startswith("AlgorithmError: the image runs xgboost 1.7.4")
    assert xgb.__version__ in failure
