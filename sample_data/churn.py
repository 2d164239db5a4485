"""A churn-like CSV shaped like the demo's customer churn data.

Columns: churn label (0/1), then 69 numeric features: account length, voice-mail messages, day minutes,
day calls, evening minutes, evening calls, night minutes, night calls, international minutes,
international calls, customer-service calls, one-hot state (51), one-hot area code (3), one-hot
international plan (no, yes) and one-hot voice-mail plan (no, yes). No header.

Churn follows a few threshold rules on those features (heavy daytime use, repeated customer-service calls
with low use, an international plan with heavy or fragmented international use), and 3% of labels are
flipped, so a tree model can learn it but not perfectly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

STATES = 51
AREA_CODES = 3
FEATURE_COUNT = 11 + STATES + AREA_CODES + 2 + 2
LABEL_NOISE = 0.03
# Rows are generated and written in chunks, so memory stays flat for any --rows.
CHUNK_ROWS = 20_000


def _one_hot_strings(categories: int) -> np.ndarray:
    identity = np.eye(categories, dtype=int)
    return np.array([",".join(map(str, row)) for row in identity], dtype=object)


def _tenths(rng: np.random.Generator, mean: float, sd: float, size: int, high: float) -> np.ndarray:
    return np.round(np.clip(rng.normal(mean, sd, size), 0.0, high), 1)


def _counts(rng: np.random.Generator, mean: float, sd: float, size: int) -> np.ndarray:
    return np.clip(np.rint(rng.normal(mean, sd, size)), 0, None).astype(np.int64)


def _chunk_lines(rng: np.random.Generator, size: int, one_hot: dict[str, np.ndarray]) -> list[str]:
    account_length = np.clip(np.rint(rng.normal(101, 40, size)), 1, 243).astype(np.int64)
    vmail_plan = rng.random(size) < 0.27
    vmail_messages = np.where(vmail_plan, _counts(rng, 29, 8, size), 0)
    day_mins = _tenths(rng, 180, 54, size, 351)
    day_calls = _counts(rng, 100, 20, size)
    eve_mins = _tenths(rng, 201, 50, size, 364)
    eve_calls = _counts(rng, 100, 20, size)
    night_mins = _tenths(rng, 201, 50, size, 395)
    night_calls = _counts(rng, 100, 20, size)
    intl_mins = _tenths(rng, 10.2, 2.8, size, 20)
    intl_calls = rng.poisson(4.5, size)
    service_calls = rng.poisson(1.5, size)
    state = rng.integers(0, STATES, size)
    area = rng.choice(AREA_CODES, size, p=[0.25, 0.5, 0.25])
    intl_plan = rng.random(size) < 0.1

    heavy_day_use = (day_mins > 250) & ((eve_mins > 180) | ~vmail_plan)
    unhappy = (service_calls >= 4) & (day_mins < 170)
    international = intl_plan & ((intl_mins > 13) | (intl_calls < 3))
    churn = heavy_day_use | unhappy | international
    churn ^= rng.random(size) < LABEL_NOISE

    categorical = (
        one_hot["state"][state]
        + ","
        + one_hot["area"][area]
        + ","
        + one_hot["yes_no"][intl_plan.astype(int)]
        + ","
        + one_hot["yes_no"][vmail_plan.astype(int)]
    )
    columns = zip(
        churn.astype(int).tolist(),
        account_length.tolist(),
        vmail_messages.tolist(),
        day_mins.tolist(),
        day_calls.tolist(),
        eve_mins.tolist(),
        eve_calls.tolist(),
        night_mins.tolist(),
        night_calls.tolist(),
        intl_mins.tolist(),
        intl_calls.tolist(),
        service_calls.tolist(),
        categorical.tolist(),
        strict=True,
    )
    line = "%d,%d,%d,%.1f,%d,%.1f,%d,%.1f,%d,%.1f,%d,%d,%s\n"
    return [line % values for values in columns]


def _with_extra_columns(lines: list[str], rng: np.random.Generator, count: int) -> list[str]:
    extra = rng.normal(50.0, 15.0, size=(len(lines), count))
    return [
        line[:-1] + "".join(f",{value:.2f}" for value in values) + "\n"
        for line, values in zip(lines, extra, strict=True)
    ]


def write_churn_csv(
    path: Path | str, rows: int, seed: int, extra_columns: int = 0, features_only: bool = False
) -> None:
    """Write `rows` rows; the same rows and seed always give the same bytes.

    `features_only` leaves the label column out: rows to score (batch scoring), the same features as the
    labelled file of the same rows and seed.

    `extra_columns` appends that many numeric columns after the 69 features, as an upstream schema change
    would (a model trained on them expects 69 + extra_columns features); the other columns are unchanged.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    if extra_columns < 0:
        raise ValueError(f"extra_columns must be at least 0, got {extra_columns}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    one_hot = {
        "state": _one_hot_strings(STATES),
        "area": _one_hot_strings(AREA_CODES),
        # Index 0 = no, 1 = yes; the CSV holds the (no, yes) pair.
        "yes_no": _one_hot_strings(2),
    }
    # One independent stream per chunk: chunks do not depend on how many random numbers earlier ones drew.
    chunk_count = -(-rows // CHUNK_ROWS)
    streams = np.random.SeedSequence(seed).spawn(chunk_count)
    with path.open("w", encoding="ascii", newline="\n") as out:
        for index, stream in enumerate(streams):
            size = min(CHUNK_ROWS, rows - index * CHUNK_ROWS)
            lines = _chunk_lines(np.random.default_rng(stream), size, one_hot)
            if extra_columns:
                # Their own stream, so the original columns are the same bytes as without them.
                lines = _with_extra_columns(lines, np.random.default_rng(stream.spawn(1)[0]), extra_columns)
            if features_only:
                lines = [line.split(",", 1)[1] for line in lines]
            out.writelines(lines)
