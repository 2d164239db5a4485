"""Package a Lambda source folder as a deterministic zip.

Entries are sorted and carry a fixed timestamp and mode, so the zip (and the
`source_code_hash` Terraform computes from it) changes only when a source file does.
Terraform has no `archive` provider offline, so packaging happens here, in `make build`.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
EXCLUDED_PARTS = {"__pycache__", ".pytest_cache"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}


def source_files(source_dir: Path) -> list[Path]:
    """Files to package, sorted by their path inside the zip."""
    files = [
        path
        for path in source_dir.rglob("*")
        if path.is_file()
        and not EXCLUDED_PARTS.intersection(path.relative_to(source_dir).parts)
        and path.suffix not in EXCLUDED_SUFFIXES
    ]
    return sorted(files, key=lambda path: path.relative_to(source_dir).as_posix())


def build_zip(source_dir: Path, output: Path) -> None:
    """Write `source_dir` as package `<source_dir.name>/` at the root of the zip."""
    if not source_dir.is_dir():
        raise SystemExit(f"package_lambda: source folder {source_dir} does not exist")
    output.parent.mkdir(parents=True, exist_ok=True)
    package = source_dir.name
    tmp = output.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in source_files(source_dir):
            info = zipfile.ZipInfo(f"{package}/{path.relative_to(source_dir).as_posix()}", FIXED_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    tmp.replace(output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_dir", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    build_zip(args.source_dir, args.output)
    print(f"packaged {args.source_dir} -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
