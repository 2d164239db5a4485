"""How the CLI is installed and what it may import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from localcloud import config


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_cli_never_imports_moto() -> None:
    """A tool for people talks to a cloud through boto3; moto belongs to the local cloud's server (the rule of
    tests/localcloud/test_import_boundaries.py for the client tools)."""
    code = (
        "import sys, pipeline_cli.__main__, pipeline_cli.commands; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'moto'))"
    )
    result = _run(sys.executable, "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_mlops_pipeline_script_is_installed() -> None:
    script = Path(sys.executable).parent / "mlops-pipeline"
    assert script.exists(), (
        "run .venv/bin/python -m pip install -e '.[dev]' to install the mlops-pipeline script"
    )

    result = _run(str(script), "--help")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: mlops-pipeline")
    for command in ("versions", "approve", "reject", "runs"):
        assert command in result.stdout


def test_python_dash_m_without_a_command_is_a_usage_error() -> None:
    result = _run(sys.executable, "-m", "pipeline_cli")

    assert result.returncode == 2
    assert result.stderr.startswith("usage: mlops-pipeline")
