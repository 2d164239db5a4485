"""The command line's grammar."""

from __future__ import annotations

import pytest

from pipeline_cli.arguments import DEFAULT_RUNS_LIMIT, DEFAULT_VERSIONS_LIMIT, build_parser


def test_commands_and_their_options() -> None:
    parser = build_parser()

    versions = parser.parse_args(["versions", "--pipeline", "churn", "--json", "--region", "eu-west-1"])
    assert (versions.command, versions.pipeline, versions.limit, versions.json) == (
        "versions",
        "churn",
        DEFAULT_VERSIONS_LIMIT,
        True,
    )
    assert (versions.region, versions.profile, versions.endpoint_url) == ("eu-west-1", None, None)

    approve = parser.parse_args(["approve", "--pipeline", "churn", "--version", "3", "--reason", "ok"])
    assert (approve.command, approve.version, approve.reason) == ("approve", 3, "ok")

    reject = parser.parse_args(["reject", "--pipeline", "churn", "--version", "3", "--profile", "ml"])
    assert (reject.command, reject.reason, reject.profile) == ("reject", None, "ml")

    runs = parser.parse_args(["runs", "--pipeline", "churn", "--endpoint-url", "http://127.0.0.1:4566"])
    assert (runs.limit, runs.json, runs.endpoint_url) == (DEFAULT_RUNS_LIMIT, False, "http://127.0.0.1:4566")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["versions"], "the following arguments are required: --pipeline"),
        (["approve", "--pipeline", "churn"], "the following arguments are required: --version"),
        (["runs", "--pipeline", "churn", "--limit", "0"], "argument --limit: 0 is less than 1"),
        (
            ["reject", "--pipeline", "churn", "--version", "v3"],
            "argument --version: 'v3' is not a whole number",
        ),
        (["deploy", "--pipeline", "churn"], "invalid choice: 'deploy'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)

    assert exited.value.code == 2
    assert message in capsys.readouterr().err
