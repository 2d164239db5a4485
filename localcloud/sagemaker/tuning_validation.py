"""The checks SageMaker applies to a CreateHyperParameterTuningJob request, and the plan the runner follows.

Member constraints (name pattern and length, enums, minimums) are reported together as AWS reports them
(`2 validation errors detected: Value '...' at '...' failed to satisfy constraint: ...`); the checks
that relate members (ranges, limits, the objective metric) raise the first one found, alone. Where the
API Reference documents a rule but not its message, the wording is the local cloud's; "You don't have
enough combinations of hyperparameter ranges. ..." is AWS's, as recorded in aws/amazon-sagemaker-
operator-for-k8s#123.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from moto.sagemaker.exceptions import ValidationError

from localcloud.sagemaker import tuning_ranges
from localcloud.sagemaker.images import ImageNotEmulable, parse_xgboost_image
from localcloud.sagemaker.metrics import metric_definitions
from localcloud.sagemaker.request_validation import CHANNEL_NAME_PATTERN, ROLE_ARN_PATTERN, S3_URI_PATTERN
from localcloud.sagemaker.tuning_ranges import SearchSpace

TUNING_JOB_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}"
TUNING_JOB_NAME_MAX_LENGTH = 32
STRATEGIES = ("Bayesian", "Random", "Hyperband", "Grid")
OBJECTIVE_TYPES = ("Maximize", "Minimize")
EARLY_STOPPING_TYPES = ("Off", "Auto")
# ParameterRanges: at most 30 hyperparameters over all three kinds of range, 30 values per category.
MAX_RANGES = 30
MAX_CATEGORICAL_VALUES = 30
_RANGE_KINDS = ("IntegerParameterRanges", "ContinuousParameterRanges", "CategoricalParameterRanges")


@dataclass(frozen=True)
class TuningPlan:
    """What the runner needs from a valid request."""

    name: str
    strategy: str
    objective_type: str
    objective_metric: str
    max_jobs: int
    max_parallel: int
    space: SearchSpace
    random_seed: int | None
    definition: Mapping[str, Any]
    tags: list[dict[str, str]]


def _invalid(message: str) -> ValidationError:
    return ValidationError(message=message)


def _camel(member: str) -> str:
    return member[0].lower() + member[1:]


def _constraint(value: Any, path: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


class _Constraints:
    """Collects member constraint violations, reported together."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def required(self, value: Any, path: str) -> bool:
        if value is None:
            self.errors.append(_constraint(None, path, "Member must not be null"))
            return False
        return True

    def pattern(self, value: str, path: str, pattern: str) -> None:
        # AWS matches these patterns against the whole value.
        if re.fullmatch(pattern.lstrip("^").rstrip("$"), value) is None:
            self.errors.append(
                _constraint(value, path, f"Member must satisfy regular expression pattern: {pattern}")
            )

    def max_length(self, value: str | list[Any] | Mapping[str, Any], path: str, limit: int) -> None:
        if len(value) > limit:
            subject = "Map" if isinstance(value, Mapping) else "Member"
            self.errors.append(
                _constraint(value, path, f"{subject} must have length less than or equal to {limit}")
            )

    def min_length(self, value: str | list[Any], path: str, limit: int) -> None:
        if len(value) < limit:
            self.errors.append(
                _constraint(value, path, f"Member must have length greater than or equal to {limit}")
            )

    def enum(self, value: Any, path: str, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            self.errors.append(
                _constraint(value, path, f"Member must satisfy enum value set: [{', '.join(allowed)}]")
            )

    def minimum(self, value: Any, path: str, limit: int) -> None:
        if isinstance(value, int) and value < limit:
            self.errors.append(
                _constraint(value, path, f"Member must have value greater than or equal to {limit}")
            )

    def raise_if_any(self) -> None:
        if self.errors:
            plural = "errors" if len(self.errors) > 1 else "error"
            raise _invalid(f"{len(self.errors)} validation {plural} detected: " + "; ".join(self.errors))


def _check_members(name: str, config: Mapping[str, Any], definition: Mapping[str, Any] | None) -> None:
    check = _Constraints()
    check.max_length(name, "hyperParameterTuningJobName", TUNING_JOB_NAME_MAX_LENGTH)
    check.pattern(name, "hyperParameterTuningJobName", TUNING_JOB_NAME_PATTERN)
    base = "hyperParameterTuningJobConfig"
    if check.required(config.get("Strategy"), f"{base}.strategy"):
        check.enum(config["Strategy"], f"{base}.strategy", STRATEGIES)
    if "TrainingJobEarlyStoppingType" in config:
        check.enum(
            config["TrainingJobEarlyStoppingType"],
            f"{base}.trainingJobEarlyStoppingType",
            EARLY_STOPPING_TYPES,
        )
    check.minimum(config.get("RandomSeed"), f"{base}.randomSeed", 0)
    objective = config.get("HyperParameterTuningJobObjective")
    if objective is not None:
        path = f"{base}.hyperParameterTuningJobObjective"
        if check.required(objective.get("Type"), f"{path}.type"):
            check.enum(objective["Type"], f"{path}.type", OBJECTIVE_TYPES)
        if check.required(objective.get("MetricName"), f"{path}.metricName"):
            check.min_length(objective["MetricName"], f"{path}.metricName", 1)
            check.max_length(objective["MetricName"], f"{path}.metricName", 255)
    limits = config.get("ResourceLimits")
    if check.required(limits, f"{base}.resourceLimits"):
        path = f"{base}.resourceLimits"
        if check.required(limits.get("MaxParallelTrainingJobs"), f"{path}.maxParallelTrainingJobs"):
            check.minimum(limits["MaxParallelTrainingJobs"], f"{path}.maxParallelTrainingJobs", 1)
        check.minimum(limits.get("MaxNumberOfTrainingJobs"), f"{path}.maxNumberOfTrainingJobs", 1)
    ranges = config.get("ParameterRanges") or {}
    for kind in _RANGE_KINDS:
        path = f"{base}.parameterRanges.{_camel(kind)}"
        check.max_length(ranges.get(kind) or [], path, MAX_RANGES)
        for index, parameter_range in enumerate(ranges.get(kind) or [], start=1):
            member = f"{path}.{index}.member"
            if kind == "CategoricalParameterRanges":
                values = parameter_range.get("Values") or []
                check.min_length(values, f"{member}.values", 1)
                check.max_length(values, f"{member}.values", MAX_CATEGORICAL_VALUES)
            elif "ScalingType" in parameter_range:
                check.enum(
                    parameter_range["ScalingType"], f"{member}.scalingType", tuning_ranges.SCALING_TYPES
                )
    if definition is not None:
        _check_definition_members(check, definition)
    check.raise_if_any()


def _check_definition_members(check: _Constraints, definition: Mapping[str, Any]) -> None:
    path = "trainingJobDefinition"
    if check.required(definition.get("RoleArn"), f"{path}.roleArn"):
        check.max_length(definition["RoleArn"], f"{path}.roleArn", 2048)
        check.pattern(definition["RoleArn"], f"{path}.roleArn", ROLE_ARN_PATTERN)
    check.required(definition.get("AlgorithmSpecification"), f"{path}.algorithmSpecification")
    check.required(definition.get("StoppingCondition"), f"{path}.stoppingCondition")
    if check.required(definition.get("OutputDataConfig"), f"{path}.outputDataConfig"):
        output = definition["OutputDataConfig"].get("S3OutputPath", "")
        check.pattern(output, f"{path}.outputDataConfig.s3OutputPath", S3_URI_PATTERN)
    for index, channel in enumerate(definition.get("InputDataConfig") or [], start=1):
        member = f"{path}.inputDataConfig.{index}.member"
        channel_name = channel.get("ChannelName", "")
        check.max_length(channel_name, f"{member}.channelName", 64)
        check.pattern(channel_name, f"{member}.channelName", CHANNEL_NAME_PATTERN)
        source = channel.get("DataSource", {}).get("S3DataSource")
        if source is not None:
            check.pattern(source.get("S3Uri", ""), f"{member}.dataSource.s3DataSource.s3Uri", S3_URI_PATTERN)
    static = definition.get("StaticHyperParameters") or {}
    check.max_length(static, f"{path}.staticHyperParameters", 100)
    for key, value in static.items():
        check.max_length(key, f"{path}.staticHyperParameters", 256)
        check.max_length(value, f"{path}.staticHyperParameters", 2500)


def _number(value: Any, name: str, bound: str, integer: bool) -> float:
    kind = "an integer" if integer else "a number"
    try:
        number = int(str(value)) if integer else float(str(value))
    except ValueError:
        raise _invalid(f"The {bound} [{value}] of hyperparameter [{name}] is not {kind}.") from None
    if not math.isfinite(number):
        raise _invalid(f"The {bound} [{value}] of hyperparameter [{name}] is not {kind}.")
    return number


def _check_numeric_range(parameter_range: Mapping[str, Any], integer: bool) -> None:
    name = parameter_range.get("Name", "")
    low = _number(parameter_range.get("MinValue"), name, "MinValue", integer)
    high = _number(parameter_range.get("MaxValue"), name, "MaxValue", integer)
    if low >= high:
        raise _invalid(
            f"The MinValue [{parameter_range['MinValue']}] of hyperparameter [{name}] must be less than "
            f"its MaxValue [{parameter_range['MaxValue']}]."
        )
    scaling = parameter_range.get("ScalingType", tuning_ranges.AUTO)
    if scaling == tuning_ranges.LOGARITHMIC and low <= 0:
        raise _invalid(
            f"Logarithmic scaling works only for ranges that have only values greater than 0; the range "
            f"of hyperparameter [{name}] starts at [{parameter_range['MinValue']}]."
        )
    if scaling == tuning_ranges.REVERSE_LOGARITHMIC:
        if integer:
            raise _invalid(
                f"Reverse logarithmic scaling is supported only for continuous hyperparameter ranges; "
                f"[{name}] is an integer range."
            )
        if low < 0 or high >= 1:
            raise _invalid(
                f"Reverse logarithmic scaling works only for ranges that are entirely within the range "
                f"0<=x<1.0; the range of hyperparameter [{name}] is [{parameter_range['MinValue']}, "
                f"{parameter_range['MaxValue']}]."
            )


def _check_ranges(ranges: Mapping[str, Any], static: Mapping[str, str], strategy: str) -> SearchSpace:
    names: list[str] = []
    for kind in _RANGE_KINDS:
        for parameter_range in ranges.get(kind) or []:
            names.append(parameter_range.get("Name", ""))
            if kind != "CategoricalParameterRanges":
                _check_numeric_range(parameter_range, integer=kind == "IntegerParameterRanges")
    if len(names) > MAX_RANGES:
        raise _invalid(
            f"The ParameterRanges define {len(names)} hyperparameters; the maximum is {MAX_RANGES}."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise _invalid(f"Hyperparameters {repeated} are specified in more than one parameter range.")
    both = sorted(set(names) & set(static))
    if both:
        raise _invalid(
            f"Hyperparameters {both} are specified both as static hyperparameters and in parameter ranges: "
            "a hyperparameter is either tuned or static."
        )
    if not names:
        raise _invalid("The ParameterRanges must define at least one hyperparameter range to tune.")
    if strategy == "Grid" and (
        ranges.get("IntegerParameterRanges") or ranges.get("ContinuousParameterRanges")
    ):
        raise _invalid(
            "Only categorical parameters are supported when using the Grid strategy: remove the integer "
            "and continuous parameter ranges."
        )
    return tuning_ranges.search_space(ranges)


def _check_objective_metric(metric: str, definition: Mapping[str, Any]) -> None:
    """A built-in algorithm's objective must be one of the metrics it emits (for the emulated XGBoost image:
    `train:<eval_metric>` and `validation:<eval_metric>`); another image is left to fail its candidates."""
    image = (definition.get("AlgorithmSpecification") or {}).get("TrainingImage") or ""
    try:
        parse_xgboost_image(image)
    except ImageNotEmulable:
        return
    if metric not in {entry["Name"] for entry in metric_definitions()}:
        raise _invalid(
            f"The objective metric for the hyperparameter tuning job, [{metric}], isn't valid for the "
            f"[{image}] algorithm. Choose a valid objective metric: one of the metrics the algorithm emits, "
            "such as validation:auc or validation:error."
        )


def _job_count(config: Mapping[str, Any], space: SearchSpace) -> int:
    strategy = config["Strategy"]
    limits = config["ResourceLimits"]
    max_jobs = limits.get("MaxNumberOfTrainingJobs")
    combinations = space.combinations()
    if strategy == "Grid":
        assert combinations is not None  # a grid has categorical ranges only
        if max_jobs is not None and max_jobs != combinations:
            raise _invalid(
                f"With the Grid strategy MaxNumberOfTrainingJobs, [{max_jobs}], must equal the number of "
                f"distinct categorical combinations, [{combinations}], or be left out."
            )
        max_jobs = combinations
    elif max_jobs is None:
        raise _invalid(f"MaxNumberOfTrainingJobs is required with the {strategy} strategy.")
    elif combinations is not None and combinations < max_jobs:
        raise _invalid(
            "You don't have enough combinations of hyperparameter ranges. The total number of "
            f"hyperparameter combinations for the provided ranges [{float(combinations)}] must be equal or "
            f"greater than the value of MaxNumberOfJobs, [{max_jobs}]. Provide additional ranges."
        )
    max_parallel = limits["MaxParallelTrainingJobs"]
    if max_parallel > max_jobs:
        raise _invalid(
            f"MaxParallelTrainingJobs, [{max_parallel}], must be less than or equal to "
            f"MaxNumberOfTrainingJobs, [{max_jobs}]."
        )
    return int(max_jobs)


def validate_create_tuning_job(
    name: str,
    config: Mapping[str, Any],
    definition: Mapping[str, Any] | None,
    definitions: list[Mapping[str, Any]] | None,
    warm_start_config: Mapping[str, Any] | None,
    autotune: Mapping[str, Any] | None,
    tags: list[dict[str, str]] | None,
) -> TuningPlan:
    """The runner's plan for a request SageMaker would accept; ValidationException otherwise."""
    _check_members(name, config, definition)
    # Refused rather than run differently from AWS: each changes which candidates run (see the README).
    for given, feature in (
        (definitions, "TrainingJobDefinitions (tuning several algorithms)"),
        (warm_start_config, "WarmStartConfig"),
        (autotune, "Autotune"),
    ):
        if given:
            raise _invalid(f"{feature} is not emulated by the local cloud.")
    if definition is None:
        raise _invalid("TrainingJobDefinition must be specified.")
    objective = config.get("HyperParameterTuningJobObjective")
    if objective is None:
        raise _invalid("HyperParameterTuningJobObjective must be specified.")
    strategy = config["Strategy"]
    if config.get("StrategyConfig") and strategy != "Hyperband":
        raise _invalid("StrategyConfig can be specified only with the Hyperband strategy.")
    if strategy == "Hyperband" and config.get("TrainingJobEarlyStoppingType", "Off") != "Off":
        raise _invalid(
            "TrainingJobEarlyStoppingType must be Off to use the Hyperband strategy, which has its own "
            "early stopping."
        )
    space = _check_ranges(
        config.get("ParameterRanges") or {}, definition.get("StaticHyperParameters") or {}, strategy
    )
    max_jobs = _job_count(config, space)
    _check_objective_metric(objective["MetricName"], definition)
    return TuningPlan(
        name=name,
        strategy=strategy,
        objective_type=objective["Type"],
        objective_metric=objective["MetricName"],
        max_jobs=max_jobs,
        max_parallel=int(config["ResourceLimits"]["MaxParallelTrainingJobs"]),
        space=space,
        random_seed=config.get("RandomSeed"),
        definition=definition,
        tags=list(tags or []),
    )
