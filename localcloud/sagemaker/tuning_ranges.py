"""A tuning job's search space and how its candidates are drawn (pure: no moto, unit-tested alone).

SageMaker passes every tuned value to the training job as a string, as it does static hyperparameters:
a continuous value as the float's shortest repr (`0.4630125855085939`), an integer as digits, a category
as given. Sampling is uniform on the range's scale:

- `Linear` (and `Auto`, for which SageMaker picks a scale it does not document; offline it is linear):
  uniform between MinValue and MaxValue.
- `Logarithmic`: uniform in log space, so each order of magnitude gets the same share of candidates
  (the API Reference's example: 0.0001-1.0 searched linearly spends 90% of the budget on 0.1-1.0).
- `ReverseLogarithmic` (continuous ranges within 0 <= x < 1): uniform in log(1 - x), dense near 1.

An integer range's draw is floored from the continuous draw over [MinValue, MaxValue + 1), so every
integer of the range can come out, each with its share of the scale.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LINEAR = "Linear"
LOGARITHMIC = "Logarithmic"
REVERSE_LOGARITHMIC = "ReverseLogarithmic"
AUTO = "Auto"
SCALING_TYPES = (AUTO, LINEAR, LOGARITHMIC, REVERSE_LOGARITHMIC)


def scaled(fraction: float, low: float, high: float, scaling: str) -> float:
    """The point `fraction` (0..1) of the way from `low` to `high` on the scale, kept inside [low, high]
    (exp/log round-trips can land one ulp outside)."""
    if scaling == LOGARITHMIC:
        value = math.exp(math.log(low) + fraction * (math.log(high) - math.log(low)))
    elif scaling == REVERSE_LOGARITHMIC:
        value = 1.0 - math.exp(math.log1p(-low) + fraction * (math.log1p(-high) - math.log1p(-low)))
    else:
        value = low + fraction * (high - low)
    return min(max(value, low), high)


@dataclass(frozen=True)
class ContinuousRange:
    name: str
    low: float
    high: float
    scaling: str = AUTO

    def draw(self, rng: random.Random) -> float:
        return scaled(rng.random(), self.low, self.high, self.scaling)


@dataclass(frozen=True)
class IntegerRange:
    name: str
    low: int
    high: int
    scaling: str = AUTO

    def draw(self, rng: random.Random) -> int:
        # [low, high + 1) floored: the top integer gets its share instead of a single point.
        value = math.floor(scaled(rng.random(), self.low, self.high + 1, self.scaling))
        return min(value, self.high)

    @property
    def size(self) -> int:
        return self.high - self.low + 1


@dataclass(frozen=True)
class CategoricalRange:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class SearchSpace:
    continuous: tuple[ContinuousRange, ...] = ()
    integer: tuple[IntegerRange, ...] = ()
    categorical: tuple[CategoricalRange, ...] = ()

    @property
    def names(self) -> list[str]:
        return [r.name for r in (*self.continuous, *self.integer, *self.categorical)]

    def combinations(self) -> int | None:
        """How many distinct candidates the space holds; None when a continuous range makes it unbounded."""
        if self.continuous:
            return None
        return math.prod(r.size for r in self.integer) * math.prod(len(r.values) for r in self.categorical)

    def draw(self, rng: random.Random) -> dict[str, str]:
        """One candidate's tuned hyperparameters, as the strings SageMaker passes."""
        tuned: dict[str, str] = {}
        for continuous in self.continuous:
            tuned[continuous.name] = repr(continuous.draw(rng))
        for integer in self.integer:
            tuned[integer.name] = str(integer.draw(rng))
        for categorical in self.categorical:
            tuned[categorical.name] = rng.choice(categorical.values)
        return tuned

    def grid(self) -> list[dict[str, str]]:
        """Every combination of the categorical values, the first range varying slowest."""
        names = [r.name for r in self.categorical]
        return [
            dict(zip(names, values, strict=True))
            for values in itertools.product(*(r.values for r in self.categorical))
        ]


def search_space(parameter_ranges: Mapping[str, list[Mapping[str, Any]]]) -> SearchSpace:
    """The request's ParameterRanges, already validated (`tuning_validation`), as a SearchSpace."""
    return SearchSpace(
        continuous=tuple(
            ContinuousRange(
                str(r["Name"]),
                float(str(r["MinValue"])),
                float(str(r["MaxValue"])),
                str(r.get("ScalingType", AUTO)),
            )
            for r in parameter_ranges.get("ContinuousParameterRanges") or []
        ),
        integer=tuple(
            IntegerRange(
                str(r["Name"]),
                int(str(r["MinValue"])),
                int(str(r["MaxValue"])),
                str(r.get("ScalingType", AUTO)),
            )
            for r in parameter_ranges.get("IntegerParameterRanges") or []
        ),
        categorical=tuple(
            CategoricalRange(str(r["Name"]), tuple(str(value) for value in r["Values"]))
            for r in parameter_ranges.get("CategoricalParameterRanges") or []
        ),
    )


def candidates(strategy: str, space: SearchSpace, count: int, rng: random.Random) -> list[dict[str, str]]:
    """The tuned hyperparameters of each candidate, in launch order.

    Grid: the categorical grid. Every other strategy draws each candidate independently (Bayesian
    optimisation and Hyperband are random search offline; see the README)."""
    if strategy == "Grid":
        return space.grid()
    return [space.draw(rng) for _ in range(count)]
