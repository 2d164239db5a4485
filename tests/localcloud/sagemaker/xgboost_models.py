"""Small real XGBoost models packed as SageMaker's model.tar.gz, for endpoint tests without training."""

from __future__ import annotations

import io
import tarfile

import numpy as np
import xgboost as xgb


def model_tarball(features: int, seed: int, label_column: int = 0) -> tuple[bytes, xgb.Booster]:
    """A 3-round binary:logistic booster on `features` random columns (label from `label_column`'s sign),
    as `xgboost-model` inside a gzipped tar, with the booster to predict locally."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, features))
    booster = xgb.train(
        {"objective": "binary:logistic"}, xgb.DMatrix(x, label=(x[:, label_column] > 0).astype(int)), 3
    )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        model = bytes(booster.save_raw(raw_format="ubj"))
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(model)
        archive.addfile(info, io.BytesIO(model))
    return buffer.getvalue(), booster
