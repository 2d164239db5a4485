"""Package a Lambda source folder as a deterministic zip.

Entries are sorted, carry a fixed timestamp and mode, and are stored uncompressed (deflate output depends
on the zlib build), so the same sources give the same bytes on every machine: the zip (and the
`source_code_hash` Terraform computes from it) changes only when a source file does. The package is
committed (lambdas/trigger.zip) so the module works from a git source with no build step; `--check`
fails when it is not what the sources give, and `make test` runs it.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
EXCLUDED_PARTS = {"__pycache__", ".pytest_cache"}
# Editor and OS leftovers (.DS_Store, .swp) must not make a local package differ from a fresh clone's.
EXCLUDED_PREFIX = "."
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}


def source_files(source_dir: Path) -> list[Path]:
    """Files to package, sorted by their path inside the zip."""
    files = [
        path
        for path in source_dir.rglob("*")
        if path.is_file()
        and not EXCLUDED_PARTS.intersection(path.relative_to(source_dir).parts)
        and not path.name.startswith(EXCLUDED_PREFIX)
        and path.suffix not in EXCLUDED_SUFFIXES
    ]
    return sorted(files, key=lambda path: path.relative_to(source_dir).as_posix())


def build_zip(source_dir: Path, output: Path) -> None:
    """Write `source_dir` as package `<source_dir.name>/` at the root of the zip."""
    if not source_dir.is_dir():
        raise SystemExit(f"package_lambda: source folder {source_dir} does not exist")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".zip.tmp")
    tmp.write_bytes(package_bytes(source_dir))
    tmp.replace(output)


def package_bytes(source_dir: Path) -> bytes:
    buffer = io.BytesIO()
    package = source_dir.name
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in source_files(source_dir):
            info = zipfile.ZipInfo(f"{package}/{path.relative_to(source_dir).as_posix()}", FIXED_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_dir", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument(
        "--check", action="store_true", help="do not write: exit 1 unless `output` is what the sources give"
    )
    args = parser.parse_args(argv)
    if args.check:
        if not args.source_dir.is_dir():
            raise SystemExit(f"package_lambda: source folder {args.source_dir} does not exist")
        current = args.output.read_bytes() if args.output.is_file() else None
        if current != package_bytes(args.source_dir):
            print(
                f"{args.output} is not the package of {args.source_dir}: run `make build` and commit it",
                file=sys.stderr,
            )
            return 1
        print(f"{args.output} is up to date with {args.source_dir}")
        return 0
    build_zip(args.source_dir, args.output)
    print(f"packaged {args.source_dir} -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
