"""Batch transform's record handling without a cloud: splitting, mini-batches, CSV filters, joins, assembly,
with the Developer Guide's examples as cases."""

from __future__ import annotations

import pytest

from localcloud.sagemaker.transform_records import (
    BYTES_PER_MB,
    RecordError,
    answer_lines,
    assemble,
    join_with_input,
    mini_batches,
    parse_csv_filter,
    payload,
    split_records,
)


def test_line_split_gives_one_record_per_line_without_line_endings() -> None:
    assert split_records(b"1,2\r\n3,4\n5,6", "Line") == [b"1,2", b"3,4", b"5,6"]
    assert split_records(b"1,2\n3,4\n", "Line") == [b"1,2", b"3,4"]
    assert split_records(b"", "Line") == []


def test_a_blank_line_is_a_record_the_container_has_to_answer() -> None:
    assert split_records(b"1,2\n\n3,4\n", "Line") == [b"1,2", b"", b"3,4"]


def test_split_none_sends_the_whole_object_as_it_is() -> None:
    assert split_records(b"1,2\n3,4\n", "None") == [b"1,2\n3,4\n"]
    assert payload([b"1,2\n3,4\n"], "None") == b"1,2\n3,4\n"
    assert payload([b"1,2", b"3,4"], "Line") == b"1,2\n3,4\n"


def test_multi_record_fills_each_request_up_to_the_payload_limit() -> None:
    # 40 bytes per line with its newline: 26,214 lines fit in 1 MB (1,048,576 bytes), not 26,215.
    records = [b"x" * 39] * 60_000
    assert list(mini_batches(records, "Line", "MultiRecord", 1)) == [
        (0, 26_214),
        (26_214, 52_428),
        (52_428, 60_000),
    ]


def test_single_record_sends_one_record_per_request() -> None:
    assert list(mini_batches([b"a", b"b", b"c"], "Line", "SingleRecord", 6)) == [(0, 1), (1, 2), (2, 3)]


def test_a_record_over_the_limit_fails_the_object() -> None:
    with pytest.raises(RecordError, match=r"record 2 is 1048577 bytes, more than MaxPayloadInMB \(1 MB\)"):
        list(mini_batches([b"a", b"x" * BYTES_PER_MB], "Line", "MultiRecord", 1))
    with pytest.raises(RecordError, match="the object is"):
        list(mini_batches([b"x" * (BYTES_PER_MB + 1)], "None", "MultiRecord", 1))


def test_csv_filters_select_columns_as_the_developer_guide_defines_them() -> None:
    row = [str(index) for index in range(8)]
    # "$[1:4] specifies the second through fifth columns" and "[:5] ... through the sixth column".
    assert parse_csv_filter("$[1:4]").select(row) == ["1", "2", "3", "4"]
    assert parse_csv_filter("$[:5]").select(row) == ["0", "1", "2", "3", "4", "5"]
    assert parse_csv_filter("$[5:]").select(row) == ["5", "6", "7"]
    assert parse_csv_filter("$[1,3,5]").select(row) == ["1", "3", "5"]
    assert parse_csv_filter("$[-1]").select(row) == ["7"]
    assert parse_csv_filter("$").selects_all and parse_csv_filter(None).selects_all


def test_a_csv_filter_keeps_quoted_fields_whole() -> None:
    assert parse_csv_filter("$[0,2]").apply(b'"Smith, J",1,2.5') == b'"Smith, J",2.5'
    assert parse_csv_filter("$[1:]").apply(b"id-7,0.5,1.5") == b"0.5,1.5"


def test_filters_that_csv_rows_cannot_take_are_refused() -> None:
    with pytest.raises(
        RecordError, match=r"only single range filters of format \(eg: \[1:5\]\) are supported"
    ):
        parse_csv_filter("$[0:2,246:]")
    with pytest.raises(RecordError, match="only index based JSONPaths"):
        parse_csv_filter("$.features")
    with pytest.raises(RecordError, match="selects column 9, but the row has 3 columns"):
        parse_csv_filter("$[9]").apply(b"1,2,3")


def test_join_appends_the_prediction_to_the_input_record() -> None:
    # The Developer Guide: "if the record is [1,2,3], and the label result is [1], ... [1,2,3,1]".
    assert join_with_input(b"1,2,3", b"1") == b"1,2,3,1"


def test_answers_split_into_lines_and_assemble_per_assemble_with() -> None:
    assert answer_lines(b"0.1\n0.2\n") == [b"0.1", b"0.2"]
    assert answer_lines(b"") == []
    assert assemble([b"0.1\n0.2", b"0.3\n"], "Line") == b"0.1\n0.2\n0.3\n"
    assert assemble([b"0.1\n0.2", b"0.3\n"], "None") == b"0.1\n0.20.3\n"
