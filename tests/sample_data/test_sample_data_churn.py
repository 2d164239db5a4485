"""The generated churn data: deterministic, shaped like the demo's, and learnable by the demo's XGBoost."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import xgboost

from sample_data import FEATURE_COUNT, write_churn_csv
from sample_data.__main__ import main

# The demo's hyperparameters (terraform/ demo values) and its quality gate.
DEMO_HYPERPARAMETERS = {
    "max_depth": 5,
    "eta": 0.2,
    "gamma": 4,
    "min_child_weight": 6,
    "subsample": 0.8,
    "objective": "binary:logistic",
    "eval_metric": "error",
}
DEMO_ROUNDS = 100


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    write_churn_csv(tmp_path / "a.csv", rows=25_000, seed=3)
    main(["--rows", "25000", "--seed", "3", "--output", str(tmp_path / "nested" / "b.csv")])
    write_churn_csv(tmp_path / "c.csv", rows=25_000, seed=4)
    assert digest(tmp_path / "a.csv") == digest(tmp_path / "nested" / "b.csv")
    assert digest(tmp_path / "a.csv") != digest(tmp_path / "c.csv")


def test_shape_is_label_first_then_69_numeric_features_without_header(tmp_path: Path) -> None:
    path = tmp_path / "churn.csv"
    write_churn_csv(path, rows=1234, seed=1)
    lines = path.read_text().splitlines()
    assert len(lines) == 1234
    assert FEATURE_COUNT == 69
    data = np.loadtxt(path, delimiter=",")  # fails on a header or a non-numeric value
    assert data.shape == (1234, 70)
    assert set(np.unique(data[:, 0])) == {0.0, 1.0}
    assert 0.08 < data[:, 0].mean() < 0.25  # churners are a minority, as in the real data
    # Every one-hot group (state, area code, international plan, voice-mail plan) has exactly one 1.
    for start, width in ((12, 51), (63, 3), (66, 2), (68, 2)):
        assert (data[:, start : start + width].sum(axis=1) == 1).all()


def test_rows_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--rows", "0", "--output", str(tmp_path / "x.csv")])


@pytest.mark.parametrize("seed", [7, 8])
def test_demo_xgboost_passes_the_quality_gate(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "churn.csv"
    write_churn_csv(path, rows=3000, seed=seed)
    data = np.loadtxt(path, delimiter=",")
    order = np.random.default_rng(seed).permutation(len(data))
    cut = int(0.8 * len(data))
    train, validation = data[order[:cut]], data[order[cut:]]
    history: dict = {}
    xgboost.train(
        DEMO_HYPERPARAMETERS,
        xgboost.DMatrix(train[:, 1:], label=train[:, 0]),
        DEMO_ROUNDS,
        evals=[(xgboost.DMatrix(validation[:, 1:], label=validation[:, 0]), "validation")],
        evals_result=history,
        verbose_eval=False,
    )
    assert history["validation"]["error"][-1] < 0.1
    # A real signal, not a lucky split: well under the majority-class error.
    churn_rate = validation[:, 0].mean()
    assert history["validation"]["error"][-1] < 0.5 * min(churn_rate, 1 - churn_rate)


def test_extra_columns_are_appended_and_leave_the_other_columns_unchanged(tmp_path: Path) -> None:
    plain, changed = tmp_path / "plain.csv", tmp_path / "changed.csv"
    write_churn_csv(plain, rows=50, seed=3)
    write_churn_csv(changed, rows=50, seed=3, extra_columns=2)
    plain_rows = plain.read_text().splitlines()
    changed_rows = changed.read_text().splitlines()
    assert len(changed_rows) == 50
    for before, after in zip(plain_rows, changed_rows, strict=True):
        fields = after.split(",")
        assert len(fields) == 1 + FEATURE_COUNT + 2
        assert ",".join(fields[: 1 + FEATURE_COUNT]) == before
        assert all(float(value) == float(value) for value in fields[-2:])


def test_negative_extra_columns_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="extra_columns"):
        write_churn_csv(tmp_path / "x.csv", rows=1, seed=1, extra_columns=-1)


def test_features_only_are_the_labelled_rows_without_their_label(tmp_path: Path) -> None:
    write_churn_csv(tmp_path / "labelled.csv", rows=250, seed=5)
    write_churn_csv(tmp_path / "features.csv", rows=250, seed=5, features_only=True)
    labelled = (tmp_path / "labelled.csv").read_text().splitlines()
    features = (tmp_path / "features.csv").read_text().splitlines()
    assert features == [line.split(",", 1)[1] for line in labelled]
    assert {len(line.split(",")) for line in features} == {69}
