"""Training entry point following the SageMaker XGBoost built-in algorithm container's contract.

Run as `python -m localcloud.sagemaker.xgboost_container --ml-root <dir> --xgboost-version 3.0.5`,
where <dir> is laid out like the container's /opt/ml:

    input/config/hyperparameters.json   {name: string value}, as SageMaker writes it
    input/config/inputdataconfig.json   {channel: {ContentType, TrainingInputMode, S3DistributionType...}}
    input/config/resourceconfig.json    {current_host, hosts}
    input/data/<channel>/...            the channel's files
    model/                              output: xgboost-model
    output/failure                      output on failure: the reason SageMaker reports

The process prints one evaluation line per round as the container does (`[i]\\ttrain-error:...`) and
exits non-zero after writing output/failure when training cannot complete.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import warnings
from email.message import Message
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb

from localcloud.sagemaker.errors import AlgorithmError, ContainerError, UserError
from localcloud.sagemaker.hyperparameters import parse_hyperparameters

MODEL_FILE_NAME = "xgboost-model"
TRAIN_CHANNEL = "train"
VALIDATION_CHANNEL = "validation"
KNOWN_CHANNELS = (TRAIN_CHANNEL, VALIDATION_CHANNEL)
CSV_CONTENT_TYPES = ("csv", "text/csv")
# xgboost errors the container reports as the user's fault (ClientError) rather than its own.
CUSTOMER_ERRORS = (
    "label must be in [0,1] for logistic regression",
    "label must be in [0, num_class)",
    "feature_names mismatch",
    "Check failed: preds.size() == info.labels_.size()",
    "AUC: the dataset only contains pos or neg samples",
    "base_score must be in (0,1) for logistic loss",
    "label must be nonnegative",
    "Parameter reg_lambda should be greater equal to 0",
)


def check_xgboost_version(expected: str) -> None:
    if xgb.__version__ != expected:
        raise AlgorithmError(
            f"the image runs xgboost {expected} but the local environment has xgboost {xgb.__version__}; "
            f"install xgboost-cpu=={expected} (a model from another version can predict different numbers)"
        )


def _check_content_type(channel: str, content_type: str | None) -> None:
    if content_type is None:
        raise UserError(
            f"channel '{channel}' has no ContentType, which the container reads as LIBSVM; the local cloud "
            "emulates only CSV: set ContentType to text/csv"
        )
    message = Message()
    message["content-type"] = content_type.lower()
    media_type = message.get_content_type() if "/" in content_type else content_type.lower().strip()
    if media_type not in CSV_CONTENT_TYPES:
        raise UserError(
            f"channel '{channel}' has ContentType {content_type!r}; the local cloud emulates only "
            "text/csv (the container also reads libsvm, parquet and recordio-protobuf)"
        )
    label_size = message.get_param("label_size")
    if label_size not in (None, "1"):
        raise UserError(
            f"{content_type} is not an accepted csv ContentType. Optional parameter label_size must be "
            "equal to 1"
        )


def channel_files(channel: str, directory: Path) -> list[Path]:
    """The channel's data files; a hidden or underscore file is refused rather than read as data."""
    files = sorted(path for path in directory.rglob("*") if path.is_file())
    for path in files:
        relative = path.relative_to(directory)
        if any(part.startswith((".", "_")) for part in relative.parts):
            raise UserError(
                f"channel '{channel}' contains the hidden file '{relative}'; remove it from the S3 prefix "
                "(e.g. Spark's _SUCCESS or .crc files): the container reads every file under the channel "
                "as data"
            )
    return files


def _sniff_delimiter(path: Path) -> str:
    with path.open(errors="ignore") as handle:
        first_line = handle.readline()
    try:
        delimiter = csv.Sniffer().sniff(first_line).delimiter
    except csv.Error as error:
        raise UserError(
            f"Could not determine delimiter on line {first_line[:50]!r} of {path.name}"
        ) from error
    # A one-column line lets the sniffer pick a digit or letter; the container falls back to commas.
    return "," if delimiter.isalnum() else delimiter


def load_csv_channel(channel: str, directory: Path, csv_weights: int) -> xgb.DMatrix:
    """Label in column 0 (and weight in column 1 when csv_weights=1), no header, as the container reads."""
    files = channel_files(channel, directory)
    if not files:
        raise UserError(f"No data in {channel} channel path {directory}")
    delimiter = _sniff_delimiter(files[0])
    blocks: list[np.ndarray] = []
    for path in files:
        try:
            block = np.loadtxt(path, delimiter=delimiter, dtype=np.float32, ndmin=2)
        except ValueError as error:
            raise UserError(
                f"Failed to load csv data of channel '{channel}' from file {path.name}: {error}"
            ) from error
        if block.size == 0:
            continue
        if blocks and block.shape[1] != blocks[0].shape[1]:
            raise UserError(
                f"channel '{channel}': file {path.name} has {block.shape[1]} columns but "
                f"{files[0].name} has {blocks[0].shape[1]}"
            )
        blocks.append(block)
    if not blocks:
        raise UserError(f"No data in {channel} channel path {directory}")
    data = np.vstack(blocks)
    first_feature = 2 if csv_weights == 1 else 1
    if data.shape[1] <= first_feature:
        raise UserError(
            f"channel '{channel}' has {data.shape[1]} column(s): no feature column after the label"
        )
    weight = data[:, 1] if csv_weights == 1 else None
    return xgb.DMatrix(data[:, first_feature:], label=data[:, 0], weight=weight)


class PrintEvaluation(xgb.callback.TrainingCallback):
    """Prints `[round]\\t<data>-<metric>:<value>...` every round, the line format the metric regexes read."""

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, dict[str, list[float]]]) -> bool:
        fields = [
            f"{data}-{metric}:{values[-1]:.5f}"
            for data, metrics in evals_log.items()
            for metric, values in metrics.items()
        ]
        if fields:
            print(f"[{epoch}]\t" + "\t".join(fields), flush=True)
        return False


def train(ml_root: Path, xgboost_version: str) -> Path:
    """Train from the /opt/ml-like layout under ml_root and return the saved model's path."""
    check_xgboost_version(xgboost_version)
    config = ml_root / "input" / "config"
    raw_hyperparameters = json.loads((config / "hyperparameters.json").read_text())
    data_config: dict[str, dict[str, Any]] = json.loads((config / "inputdataconfig.json").read_text())

    params = parse_hyperparameters(raw_hyperparameters)
    if TRAIN_CHANNEL not in data_config:
        raise UserError("Missing required channel: train")
    for channel, channel_config in data_config.items():
        if channel not in KNOWN_CHANNELS:
            raise UserError(f"Extraneous channel found: {channel}")
        if channel_config.get("TrainingInputMode", "File") != "File":
            raise UserError(f"channel '{channel}': the local cloud emulates File input mode only")
        _check_content_type(channel, channel_config.get("ContentType"))

    num_round = params.pop("num_round")
    early_stopping_rounds = params.pop("early_stopping_rounds", None)
    csv_weights = params.pop("csv_weights", 0)
    data_root = ml_root / "input" / "data"
    train_matrix = load_csv_channel(TRAIN_CHANNEL, data_root / TRAIN_CHANNEL, csv_weights)
    evals = [(train_matrix, TRAIN_CHANNEL)]
    if VALIDATION_CHANNEL in data_config:
        validation_matrix = load_csv_channel(VALIDATION_CHANNEL, data_root / VALIDATION_CHANNEL, csv_weights)
        if validation_matrix.num_col() != train_matrix.num_col():
            raise UserError(
                f"validation data has {validation_matrix.num_col()} features but training data has "
                f"{train_matrix.num_col()}"
            )
        evals.append((validation_matrix, VALIDATION_CHANNEL))
    print(f"INFO:root:Train matrix has {train_matrix.num_row()} rows and {train_matrix.num_col()} columns")

    try:
        booster = xgb.train(
            params,
            train_matrix,
            num_boost_round=num_round,
            evals=evals,
            early_stopping_rounds=early_stopping_rounds,
            callbacks=[PrintEvaluation()],
            verbose_eval=False,
        )
    except xgb.core.XGBoostError as error:
        if any(known in str(error) for known in CUSTOMER_ERRORS):
            raise UserError(str(error).splitlines()[0]) from error
        raise AlgorithmError(f"XGB train call failed with exception:\n {error}") from error

    model_dir = ml_root / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    model_path = model_dir / MODEL_FILE_NAME
    # The 3.0-5 container calls Booster.save_model on this extension-less name: xgboost 3 writes UBJSON
    # and warns that it chose the default format, which is exactly what is wanted here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        booster.save_model(model_path)
    return model_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ml-root", type=Path, required=True, help="the /opt/ml-like directory")
    parser.add_argument("--xgboost-version", required=True, help="the xgboost version the image runs")
    args = parser.parse_args(argv)
    try:
        train(args.ml_root, args.xgboost_version)
    except Exception as error:
        reason = error.failure_reason() if isinstance(error, ContainerError) else f"AlgorithmError: {error!r}"
        failure_file = args.ml_root / "output" / "failure"
        failure_file.parent.mkdir(parents=True, exist_ok=True)
        failure_file.write_text(reason)
        print(reason, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
