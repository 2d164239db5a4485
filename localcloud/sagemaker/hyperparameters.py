"""Hyperparameters as the SageMaker XGBoost container parses them.

SageMaker passes every hyperparameter as a string (`input/config/hyperparameters.json`). The
container converts each one to its declared type, refuses names it does not know and checks ranges
and a few dependencies before training; the messages below follow the container's wording.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.sagemaker.errors import UserError

MAXIMIZE_METRICS = (
    "accuracy",
    "auc",
    "aucpr",
    "balanced_accuracy",
    "f1",
    "f1_binary",
    "f1_macro",
    "map",
    "ndcg",
    "precision",
    "r2",
    "recall",
    "precision_macro",
    "precision_micro",
    "recall_macro",
    "recall_micro",
)
MINIMIZE_METRICS = (
    "aft-nloglik",
    "cox-nloglik",
    "error",
    "gamma-deviance",
    "gamma-nloglik",
    "interval-regression-accuracy",
    "logloss",
    "mae",
    "mape",
    "merror",
    "mlogloss",
    "mphe",
    "mse",
    "poisson-nloglik",
    "rmse",
    "rmsle",
    "tweedie-nloglik",
)
# Metrics xgboost computes itself; the others in the lists above are the container's own evaluation
# functions, which the local emulation does not reimplement.
NATIVE_METRICS = frozenset(
    {
        "aft-nloglik",
        "auc",
        "aucpr",
        "cox-nloglik",
        "error",
        "gamma-deviance",
        "gamma-nloglik",
        "interval-regression-accuracy",
        "logloss",
        "mae",
        "mape",
        "map",
        "merror",
        "mlogloss",
        "mphe",
        "ndcg",
        "poisson-nloglik",
        "rmse",
        "rmsle",
        "tweedie-nloglik",
    }
)

OBJECTIVES = (
    "binary:logistic",
    "binary:logitraw",
    "binary:hinge",
    "count:poisson",
    "multi:softmax",
    "multi:softprob",
    "rank:pairwise",
    "rank:ndcg",
    "rank:map",
    "reg:squarederror",
    "reg:logistic",
    "reg:gamma",
    "reg:pseudohubererror",
    "reg:squaredlogerror",
    "reg:tweedie",
    "reg:absoluteerror",
    "survival:aft",
    "survival:cox",
)


@dataclass(frozen=True)
class Interval:
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def __contains__(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def __str__(self) -> str:
        return f"{'(' if self.low_open else '['}{self.low}, {self.high}{')' if self.high_open else ']'}"


@dataclass(frozen=True)
class Spec:
    parse: Callable[[str], Any]
    allowed: Interval | tuple[str, ...] | None = None


def _integer(value: str) -> int:
    # The container uses int(), which refuses "10.0": keep that, a silent truncation would hide typos.
    return int(value)


def _metric_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",")]


SPECS: dict[str, Spec] = {
    "num_round": Spec(_integer, Interval(low=1)),
    "csv_weights": Spec(_integer, Interval(0, 1)),
    "early_stopping_rounds": Spec(_integer, Interval(low=1)),
    "booster": Spec(str, ("gbtree", "gblinear", "dart")),
    "verbosity": Spec(_integer, Interval(0, 3)),
    "nthread": Spec(_integer, Interval(low=1)),
    "eta": Spec(float, Interval(0, 1)),
    "gamma": Spec(float, Interval(low=0)),
    "max_depth": Spec(_integer, Interval(low=0)),
    "min_child_weight": Spec(float, Interval(low=0)),
    "max_delta_step": Spec(float, Interval(low=0)),
    "subsample": Spec(float, Interval(0, 1, low_open=True)),
    "colsample_bytree": Spec(float, Interval(0, 1, low_open=True)),
    "colsample_bylevel": Spec(float, Interval(0, 1, low_open=True)),
    "colsample_bynode": Spec(float, Interval(0, 1, low_open=True)),
    "lambda": Spec(float, Interval(low=0)),
    "alpha": Spec(float, Interval(low=0)),
    "tree_method": Spec(str, ("auto", "exact", "approx", "hist", "gpu_hist")),
    "sketch_eps": Spec(float, Interval(0, 1, low_open=True, high_open=True)),
    "scale_pos_weight": Spec(float, Interval(low=0, low_open=True)),
    "grow_policy": Spec(str, ("depthwise", "lossguide")),
    "max_leaves": Spec(_integer, Interval(low=0)),
    "max_bin": Spec(_integer, Interval(low=0)),
    "sample_type": Spec(str, ("uniform", "weighted")),
    "normalize_type": Spec(str, ("tree", "forest")),
    "rate_drop": Spec(float, Interval(0, 1)),
    "one_drop": Spec(_integer, Interval(0, 1)),
    "skip_drop": Spec(float, Interval(0, 1)),
    "tweedie_variance_power": Spec(float, Interval(1, 2, low_open=True, high_open=True)),
    "objective": Spec(str, OBJECTIVES),
    "num_class": Spec(_integer, Interval(low=2)),
    "base_score": Spec(float, Interval(low=0)),
    "eval_metric": Spec(_metric_list),
    "seed": Spec(_integer, Interval(-(2**31), 2**31 - 1, low_open=True, high_open=True)),
    "num_parallel_tree": Spec(_integer, Interval(low=1)),
    "max_cat_to_onehot": Spec(_integer, Interval(low=1)),
    # SageMaker adds it to every training job a tuning job launches: the objective, e.g. "validation:auc".
    "_tuning_objective_metric": Spec(str),
}


def _check_eval_metric(metrics: list[str], objective: str) -> None:
    for metric in metrics:
        name, _, threshold = metric.partition("@")
        if threshold:
            if name not in ("error", "ndcg", "map"):
                raise UserError(
                    f"Metric '{metric}' is not supported. Parameter 'eval_metric' with customized "
                    "threshold should be one of these options: 'error', 'ndcg', 'map'."
                )
            try:
                float(threshold)
            except ValueError as error:
                raise UserError(f"Threshold value 't' in '{name}@t' expects float input.") from error
        elif name not in MAXIMIZE_METRICS + MINIMIZE_METRICS:
            raise UserError(
                f"Hyperparameter eval_metric: value {metrics} not in range "
                f"{list(MAXIMIZE_METRICS + MINIMIZE_METRICS)}"
            )
        elif name not in NATIVE_METRICS:
            raise UserError(
                f"eval_metric '{name}' is computed by the container's own code, which the local cloud "
                f"does not emulate; use one of {sorted(NATIVE_METRICS)}"
            )
    if "auc" in metrics and not objective.startswith(("binary:", "rank:")):
        raise UserError("Metric 'auc' can only be applied for classification and ranking problems.")


def with_tuning_objective(eval_metric: list[str] | None, tuning_objective_metric: str) -> list[str]:
    """eval_metric with the tuning objective's metric (`validation:auc` -> `auc`) added last, as the
    container does, so a tuning candidate always logs its objective; xgboost early-stops on the last one."""
    _, _, names = tuning_objective_metric.partition(":")
    tuned = [name.strip() for name in names.split(",")]
    return [metric for metric in eval_metric or [] if metric not in tuned] + tuned


def parse_hyperparameters(raw: Mapping[str, str]) -> dict[str, Any]:
    """Convert SageMaker's string hyperparameters to typed values, refusing what the container refuses."""
    if "num_round" not in raw:
        raise UserError("Missing required hyperparameter: num_round")
    parsed: dict[str, Any] = {}
    for name, value in raw.items():
        spec = SPECS.get(name)
        if spec is None:
            raise UserError(f"Extraneous hyperparameter found: {name}")
        if not isinstance(value, str):
            raise UserError(f"Hyperparameter {name}: expected a string as SageMaker passes it, got {value!r}")
        try:
            converted = spec.parse(value)
        except ValueError as error:
            raise UserError(f"Hyperparameter {name}: could not parse value {value!r}") from error
        if isinstance(spec.allowed, Interval) and converted not in spec.allowed:
            raise UserError(f"Hyperparameter {name}: {converted} is not in {spec.allowed}")
        if isinstance(spec.allowed, tuple) and converted not in spec.allowed:
            raise UserError(f"Hyperparameter {name}: {converted} is not in {list(spec.allowed)}")
        parsed[name] = converted

    tuning_objective = parsed.pop("_tuning_objective_metric", None)
    if tuning_objective is not None:
        parsed["eval_metric"] = with_tuning_objective(parsed.get("eval_metric"), tuning_objective)
    objective = parsed.get("objective", "reg:squarederror")
    if objective in ("multi:softmax", "multi:softprob") and "num_class" not in parsed:
        raise UserError("Require input for parameter 'num_class' for multi-classification")
    if "eval_metric" in parsed:
        _check_eval_metric(parsed["eval_metric"], objective)
    return parsed
