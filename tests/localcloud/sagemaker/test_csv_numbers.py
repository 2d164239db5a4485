"""The model server's fast CSV number parsing gives exactly what NumPy's float parsing gives (the
container's way), bit for bit, and the same errors; the fast path is really taken for plain numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from localcloud.sagemaker import csv_numbers


def _numpy_way(joined: str, delimiter: str = ",") -> np.ndarray:
    tokens = joined.split(delimiter)
    try:
        return np.asarray(tokens, dtype=np.float32)
    except ValueError:
        return np.asarray([token.strip() or "nan" for token in tokens], dtype=np.float32)


def _same_bits(left: np.ndarray, right: np.ndarray) -> bool:
    return left.dtype == right.dtype and left.shape == right.shape and left.tobytes() == right.tobytes()


_number_texts = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(width=32, allow_nan=False, allow_infinity=False).map(lambda value: f"{value:.9g}"),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
    st.sampled_from(
        [
            "0",
            "-0",
            "-0.0",
            "1e-0",
            ".5",
            "5.",
            "+1",
            "01",
            "1E+05",
            "1e400",
            "-1e-400",
            "16777217",
            "3.4028235e38",
            "3.4028236e38",
            "1e-46",
            " 2 ",
            "\t3",
            "nan",
            "-inf",
            "",
            " ",
        ]
    ),
)


@given(st.lists(_number_texts, min_size=1, max_size=40))
@example([""])  # found by CI: JSON reads an empty payload as no value, NumPy as one NaN
@example([" "])
def test_fields_parse_to_the_same_float32_bits_as_numpy(fields: list[str]) -> None:
    joined = ",".join(fields)
    with np.errstate(over="ignore"):
        assert _same_bits(csv_numbers.parse_fields(joined, ","), _numpy_way(joined))


@pytest.mark.parametrize("joined", ["1,abc", '1,"2"', "1,[2]", "1,true", "1,2,0x10", "1,--2"])
def test_what_numpy_cannot_read_fails_with_numpys_error(joined: str) -> None:
    with pytest.raises(ValueError) as numpy_error:
        _numpy_way(joined)
    with pytest.raises(ValueError) as fast_error:
        csv_numbers.parse_fields(joined, ",")
    assert str(fast_error.value) == str(numpy_error.value)


def test_another_delimiter_is_read_as_numpy_reads_it() -> None:
    assert _same_bits(csv_numbers.parse_fields("1;2.5;;-3", ";"), _numpy_way("1;2.5;;-3", ";"))


def test_plain_numbers_take_the_json_path() -> None:
    values = csv_numbers._json_numbers("0.25,-1.5e3,7, 8")
    assert values is not None and values.tolist() == [0.25, -1500.0, 7.0, 8.0]
    # Negative numbers that merely start with -0 are not negative zeros.
    values = csv_numbers._json_numbers("-0.5,-0e1,-0.0e0,-0E2")
    assert values is not None and values.tolist() == [-0.5, -0.0, -0.0, -0.0]
    assert np.signbit(values).all()
    for slow in ("1,,2", ".5,1", "1,-0", "-0,1", "1,-0 ", "-0\t,1", "1,-0\r", "1,nan", '"1"', "", " "):
        assert csv_numbers._json_numbers(slow) is None, slow
