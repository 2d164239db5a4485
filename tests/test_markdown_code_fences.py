"""Every code block in the project's Markdown is closed where its author meant.

A closing fence may carry nothing after its backticks (CommonMark); "``` some text" is not a closing fence,
so the block runs on and the rest of the page renders as code. The README once did exactly that.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOT_THE_PROJECTS = {".git", ".venv", "build", "node_modules", ".localcloud", ".terraform"}
FENCE = re.compile(r"^ {0,3}(?P<run>`{3,}|~{3,})(?P<rest>.*)$")


def fence_problems(text: str) -> list[str]:
    """Lines where a block's closing fence is malformed, and a block the file never closes."""
    problems: list[str] = []
    open_run: str | None = None
    opened_at = 0
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if match is None:
            continue
        run, rest = match["run"], match["rest"]
        if open_run is None:
            if run[0] == "`" and "`" in rest:
                problems.append(f"line {number}: an opening fence's info string holds a backtick")
            open_run, opened_at = run, number
        elif run[0] == open_run[0] and len(run) >= len(open_run):
            if rest.strip():
                problems.append(
                    f"line {number}: text after the fence that should close the block opened on line "
                    f"{opened_at}"
                )
            open_run = None
    if open_run is not None:
        problems.append(f"line {opened_at}: a code block that is never closed")
    return problems


def project_markdown() -> list[Path]:
    return sorted(
        path
        for path in PROJECT_ROOT.rglob("*.md")
        if not NOT_THE_PROJECTS.intersection(path.relative_to(PROJECT_ROOT).parts)
    )


def test_the_project_has_markdown_to_check() -> None:
    assert PROJECT_ROOT / "README.md" in project_markdown()


@pytest.mark.parametrize("path", project_markdown(), ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_code_blocks_are_closed(path: Path) -> None:
    assert fence_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("```hcl\nx = 1\n```\n", []),
        ("````\n```\nnested\n```\n````\n", []),
        ("```hcl\nx = 1\n``` and then prose\nmore prose\n```\n", ["line 3", "line 5"]),
        ("```\nnever closed\n", ["line 1"]),
        ("~~~\n```\n~~~\n", []),
    ],
)
def test_fence_problems_finds_what_breaks_a_page(text: str, expected: list[str]) -> None:
    found = fence_problems(text)
    assert [problem.split(":")[0] for problem in found] == expected
