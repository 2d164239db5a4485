"""Every `s3://` argument of a Glue job run becomes a short local path and is mirrored back to S3."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localcloud.glue.s3_arguments import S3Arguments

# Longer than any local file name may be (255 bytes); S3 allows 1,024.
LONG_KEY = "input/" + "k" * 890 + "data.csv"


def _keys(s3: Any, bucket: str, prefix: str = "") -> set[str]:
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return {item["Key"] for item in listing.get("Contents", [])}


def _body(s3: Any, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


@pytest.fixture
def s3(aws: Callable[[str], Any]) -> Any:
    return aws("s3")


def test_every_s3_argument_is_mapped_whatever_its_name(s3: Any, bucket: str, tmp_path: Path) -> None:
    mapping = S3Arguments(s3, tmp_path / "s3")
    arguments = {
        "--train_uri": f"s3://{bucket}/runs/r1/etl/train/",
        "--manifest_uri": f"s3://{bucket}/runs/r1/etl/manifest.json",
        "--same_again": f"s3://{bucket}/runs/r1/etl/train/",
        "--greeting": "hello",
        "--not_a_location": "s3:/half",
    }

    local = mapping.local_arguments(arguments)

    assert local["--greeting"] == "hello"
    assert local["--not_a_location"] == "s3:/half"
    assert local["--train_uri"] == local["--same_again"]
    assert local["--train_uri"].endswith("/")  # a prefix stays a folder, as the URI says
    assert local["--manifest_uri"].endswith(".json")
    for name in ("--train_uri", "--manifest_uri"):
        assert Path(local[name]).parent == tmp_path / "s3"
        assert not Path(local[name]).exists()  # output locations that do not exist yet
        assert mapping.to_s3(local[name]) == arguments[name]


def test_local_names_are_allocated_keeping_only_the_hidden_mark_and_extension(
    s3: Any, bucket: str, tmp_path: Path
) -> None:
    objects = {
        LONG_KEY + ".gz": b"compressed",
        "input/_SUCCESS": b"",
        "input/.hidden": b"h",
        "input/sub dir/part-0.csv": b"1,2\n",
        "input/folder marker/": b"",
    }
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    mapping = S3Arguments(s3, tmp_path / "s3")

    local = Path(mapping.local_arguments({"--input": f"s3://{bucket}/input/"})["--input"])

    files = sorted(path for path in local.rglob("*") if path.is_file())
    assert len(files) == 4  # the folder marker holds no data
    assert all(len(path.relative_to(local).as_posix()) < 16 for path in files)
    by_s3_uri = {mapping.to_s3(str(path)): path for path in files}
    assert by_s3_uri.keys() == {f"s3://{bucket}/{key}" for key in objects if not key.endswith("/")}
    for key, body in objects.items():
        if not key.endswith("/"):
            assert by_s3_uri[f"s3://{bucket}/{key}"].read_bytes() == body
    assert by_s3_uri[f"s3://{bucket}/{LONG_KEY}.gz"].suffix == ".gz"  # Hadoop picks the codec by it
    assert by_s3_uri[f"s3://{bucket}/input/_SUCCESS"].name.startswith("_")  # Spark skips it as hidden
    assert by_s3_uri[f"s3://{bucket}/input/.hidden"].name.startswith(".")


def test_mirror_back_uploads_what_changed_and_deletes_what_the_script_deleted(
    s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key in ("data/a.csv", "data/b.csv", "data/sub/c.csv"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    mapping = S3Arguments(s3, tmp_path / "s3")
    local = Path(mapping.local_arguments({"--data": f"s3://{bucket}/data/"})["--data"])
    files = {mapping.to_s3(str(path)): path for path in local.rglob("*") if path.is_file()}

    files[f"s3://{bucket}/data/a.csv"].write_text("changed")
    files[f"s3://{bucket}/data/b.csv"].unlink()
    sub = files[f"s3://{bucket}/data/sub/c.csv"].parent
    (sub / "new.csv").write_text("new in an existing folder")
    (local / "out").mkdir()
    (local / "out" / "part-0.csv").write_text("new folder")
    (local / "out" / ".part-0.csv.crc").write_text("checksum")
    mapping.mirror_back()

    assert _keys(s3, bucket) == {"data/a.csv", "data/sub/c.csv", "data/sub/new.csv", "data/out/part-0.csv"}
    assert _body(s3, bucket, "data/a.csv") == b"changed"
    versions = s3.list_object_versions(Bucket=bucket, Prefix="data/sub/c.csv")["Versions"]
    assert len(versions) == 1  # unchanged: not uploaded again


def test_a_key_with_children_is_a_folder_and_new_files_go_under_it(
    s3: Any, bucket: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="runs/r2/etl/old.csv", Body=b"old")
    mapping = S3Arguments(s3, tmp_path / "s3")

    local = Path(mapping.local_arguments({"--out": f"s3://{bucket}/runs/r2/etl"})["--out"])
    assert local.is_dir()
    (local / "manifest.json").write_text("{}")
    mapping.mirror_back()

    assert _keys(s3, bucket) == {"runs/r2/etl/old.csv", "runs/r2/etl/manifest.json"}


def test_local_paths_in_small_text_outputs_are_mapped_back(s3: Any, bucket: str, tmp_path: Path) -> None:
    s3.put_object(Bucket=bucket, Key='input/a "quoted" name.csv', Body=b"x")
    mapping = S3Arguments(s3, tmp_path / "s3")
    local = mapping.local_arguments(
        {
            "--input": f's3://{bucket}/input/a "quoted" name.csv',
            "--output": f"s3://{bucket}/out/",
            "--report": f"s3://{bucket}/out/report.json",
            "--log": f"s3://{bucket}/out/log.txt",
        }
    )
    report = {
        "input": local["--input"],
        "input_as_uri": "file://" + local["--input"],
        "train": local["--output"].rstrip("/") + "/train/",
        "output": local["--output"].rstrip("/"),
    }
    Path(local["--report"]).write_text(json.dumps(report))
    Path(local["--log"]).write_text(f"read file:{local['--input']}.\nwrote {local['--output']}x/part-0\n")
    mapping.mirror_back()

    assert json.loads(_body(s3, bucket, "out/report.json")) == {
        "input": f's3://{bucket}/input/a "quoted" name.csv',  # JSON-escaped where it was replaced
        "input_as_uri": f's3://{bucket}/input/a "quoted" name.csv',
        "train": f"s3://{bucket}/out/train/",
        "output": f"s3://{bucket}/out",
    }
    assert _body(s3, bucket, "out/log.txt").decode() == (
        f'read s3://{bucket}/input/a "quoted" name.csv.\nwrote s3://{bucket}/out/x/part-0\n'
    )


# A Glue script that knows nothing of S3: it reads and writes the paths it is given.
COPY_SCRIPT = textwrap.dedent(
    """
    import argparse, json, pathlib

    class EtlInputError(Exception):
        pass

    parser = argparse.ArgumentParser()
    for name in ("--JOB_NAME", "--JOB_RUN_ID", "--source", "--copy_uri", "--report_uri"):
        parser.add_argument(name)
    args = parser.parse_args()
    text = pathlib.Path(args.source).read_text()
    if "bad" in text:
        raise EtlInputError(f"cannot copy {args.source}")
    pathlib.Path(args.copy_uri).write_text(text.upper())
    pathlib.Path(args.report_uri).write_text(json.dumps({"source": args.source, "copy": args.copy_uri}))
    """
)


@pytest.mark.parametrize("body", [b"a,b\n", b"bad\n"])
def test_a_900_character_key_is_processed_as_on_aws(
    aws: Callable[[str], Any],
    run_glue_job: Callable[..., dict],
    bucket: str,
    role_arn: str,
    unique_name: str,
    body: bytes,
) -> None:
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="scripts/copy.py", Body=COPY_SCRIPT.encode())
    s3.put_object(Bucket=bucket, Key=LONG_KEY, Body=body)
    aws("glue").create_job(
        Name=unique_name,
        Role=role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/scripts/copy.py"},
    )
    arguments = {
        "--source": f"s3://{bucket}/{LONG_KEY}",
        "--copy_uri": f"s3://{bucket}/copies/{LONG_KEY}",
        "--report_uri": f"s3://{bucket}/copies/report.json",
    }
    run = run_glue_job(unique_name, arguments)

    if body.startswith(b"bad"):
        assert run["JobRunState"] == "FAILED"
        assert run["ErrorMessage"] == f"EtlInputError: cannot copy s3://{bucket}/{LONG_KEY}"
        return
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert _body(s3, bucket, f"copies/{LONG_KEY}") == b"A,B\n"
    assert json.loads(_body(s3, bucket, "copies/report.json")) == {
        "source": arguments["--source"],
        "copy": arguments["--copy_uri"],
    }
