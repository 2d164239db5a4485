"""Which credentials and region the CLI uses: boto3's chain, and the local cloud's test credentials only
with --endpoint-url and nothing configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud import config
from pipeline_cli.errors import CliError
from pipeline_cli.session import Target, connect
from tests.pipeline_cli.conftest import clear_aws_environment


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    clear_aws_environment(monkeypatch, tmp_path)
    return monkeypatch


def test_the_endpoint_url_alone_reaches_the_local_cloud(no_aws: pytest.MonkeyPatch) -> None:
    aws = connect(Target(endpoint_url="http://127.0.0.1:4566"))

    credentials = aws.session.get_credentials()
    assert (credentials.access_key, credentials.secret_key) == (
        config.ACCESS_KEY_ID,
        config.SECRET_ACCESS_KEY,
    )
    assert aws.region == config.REGION
    assert aws.where == "us-east-1 at http://127.0.0.1:4566"
    assert aws.client("sagemaker").meta.endpoint_url == "http://127.0.0.1:4566"


def test_configured_credentials_and_region_win_over_the_local_clouds(no_aws: pytest.MonkeyPatch) -> None:
    no_aws.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    no_aws.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
    no_aws.setenv("AWS_REGION", "eu-west-1")

    aws = connect(Target(endpoint_url="http://127.0.0.1:4566"))

    assert aws.session.get_credentials().access_key == "AKIDFROMENV"
    assert aws.region == "eu-west-1"


def test_aws_region_comes_before_aws_default_region_as_in_the_aws_cli(no_aws: pytest.MonkeyPatch) -> None:
    no_aws.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    assert connect(Target(endpoint_url="http://127.0.0.1:4566")).region == "eu-north-1"

    no_aws.setenv("AWS_REGION", "eu-west-1")
    assert connect(Target(endpoint_url="http://127.0.0.1:4566")).region == "eu-west-1"
    assert connect(Target(region="eu-south-1", endpoint_url="http://127.0.0.1:4566")).region == "eu-south-1"


def test_a_profile_is_used_with_its_region(no_aws: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[profile ml]\nregion = eu-central-1\n")
    (tmp_path / "credentials").write_text(
        "[ml]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n"
    )
    no_aws.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    no_aws.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))

    aws = connect(Target(profile="ml"))

    assert (aws.session.get_credentials().access_key, aws.region, aws.where) == (
        "AKIDPROFILE",
        "eu-central-1",
        "eu-central-1",
    )
    assert connect(Target(profile="ml", region="ap-south-1")).region == "ap-south-1"


def test_against_aws_nothing_stands_in(no_aws: pytest.MonkeyPatch) -> None:
    aws = connect(Target(region="eu-west-1"))

    assert aws.session.get_credentials() is None
    assert aws.client("sagemaker").meta.endpoint_url == "https://api.sagemaker.eu-west-1.amazonaws.com"
    with pytest.raises(CliError, match="no AWS region"):
        connect(Target())


def test_target_options_reach_the_same_cloud_again() -> None:
    assert Target().options() == []
    assert Target(region="eu-west-1", profile="ml", endpoint_url="http://127.0.0.1:4566").options() == [
        "--region",
        "eu-west-1",
        "--profile",
        "ml",
        "--endpoint-url",
        "http://127.0.0.1:4566",
    ]
