"""The command line's grammar (argparse); `__main__` runs what it parses."""

from __future__ import annotations

import argparse

DEFAULT_VERSIONS_LIMIT = 20
DEFAULT_RUNS_LIMIT = 10


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def _common() -> argparse.ArgumentParser:
    """Options every command takes, after the command's name as in the AWS CLI."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--pipeline", required=True, metavar="NAME", help="the pipeline's name (the module's name)"
    )
    common.add_argument(
        "--region", help="AWS region (default: boto3's chain: AWS_REGION, the profile's region)"
    )
    common.add_argument("--profile", help="AWS profile from your AWS config (default: boto3's chain)")
    common.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="talk to this endpoint instead of AWS, e.g. the offline cloud http://127.0.0.1:4566 "
        "(its test credentials and region are used when none are configured)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlops-pipeline",
        description="Model versions, approvals and runs of a SageMaker pipeline deployed by the "
        "mlops_pipeline Terraform module.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common()

    versions = commands.add_parser(
        "versions", parents=[common], help="the pipeline's model versions, newest first, and which one serves"
    )
    versions.add_argument("--limit", type=_positive, default=DEFAULT_VERSIONS_LIMIT, help="versions to show")
    versions.add_argument("--json", action="store_true", help="machine-readable output")

    for name, effect in (
        ("approve", "in manual approval mode this deploys it"),
        ("reject", "this never undeploys it"),
    ):
        command = commands.add_parser(name, parents=[common], help=f"{name} a model version ({effect})")
        command.add_argument(
            "--version", type=_positive, required=True, metavar="N", help="the version number"
        )
        command.add_argument(
            "--reason", help="the approval description (default: names you and this tool)", metavar="TEXT"
        )

    runs = commands.add_parser("runs", parents=[common], help="the pipeline's latest runs, newest first")
    runs.add_argument("--limit", type=_positive, default=DEFAULT_RUNS_LIMIT, help="runs to show")
    runs.add_argument("--json", action="store_true", help="machine-readable output")
    return parser
