"""Counting records the way a SageMaker batch transform with SplitType=Line splits them (no AWS here).

A record is a line ending in `\n` (a `\r` before it belongs to the line ending), or the text after the last
newline. Blank lines are not rows: the count is the rows a person sees, and the number of predictions
the job must write (AssembleWith=Line: one line per record)."""

from __future__ import annotations

from collections.abc import Iterable


def count_line_records(chunks: Iterable[bytes]) -> int:
    """Non-empty lines over chunks of any size, in constant memory."""
    count = 0
    # Whether the current line (since the last newline) has content other than `\r`.
    line_has_content = False
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if piece.strip(b"\r"):
                line_has_content = True
            if end < 0:
                break
            if line_has_content:
                count += 1
            line_has_content = False
            start = end + 1
    return count + (1 if line_has_content else 0)
