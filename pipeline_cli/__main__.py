"""`mlops-pipeline` / `python -m pipeline_cli`: parse, connect, run the command, print one line on error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from botocore.exceptions import BotoCoreError, ClientError

from pipeline_cli import commands
from pipeline_cli.arguments import build_parser
from pipeline_cli.errors import EXIT_AWS_ERROR, EXIT_USAGE_ERROR, CliError, aws_error_line
from pipeline_cli.registry import APPROVED, REJECTED
from pipeline_cli.session import Target, connect


def _run(args: argparse.Namespace, target: Target) -> str:
    aws = connect(target)
    if args.command == "versions":
        return commands.versions(aws, args.pipeline, args.limit, args.json)
    if args.command == "runs":
        return commands.runs(aws, args.pipeline, args.limit, args.json)
    status = APPROVED if args.command == "approve" else REJECTED
    return commands.change_approval(aws, args.pipeline, args.version, status, args.reason)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    target = Target(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)
    try:
        output = _run(args, target)
    except CliError as error:
        print(f"mlops-pipeline: {error}", file=sys.stderr)
        return EXIT_USAGE_ERROR
    except (BotoCoreError, ClientError) as error:
        print(f"mlops-pipeline: {aws_error_line(error, target.endpoint_url)}", file=sys.stderr)
        return EXIT_AWS_ERROR
    print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
