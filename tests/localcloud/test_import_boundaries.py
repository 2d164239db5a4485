"""What must not import moto: the client tools (they talk to a cloud through boto3 and Terraform only),
the SageMaker subprocesses (every training job and endpoint start would pay for it), and the pure rules
(alarm evaluation, deployment configs and rollout steps, batch transform's record handling, tuning's
sampling and results, schedule expressions and the scheduler clock), which are tested without a cloud."""

from __future__ import annotations

import subprocess
import sys

import pytest

from localcloud import config


@pytest.mark.parametrize(
    "modules",
    [
        "localcloud.tools.run_follower, localcloud.tools.terraform",
        "localcloud.tools.endpoint_traffic, localcloud.tools.rollout_watch, localcloud.tools.serving",
        "localcloud.sagemaker.xgboost_container, localcloud.sagemaker.model_server",
        "localcloud.cloudwatch.alarm_evaluation",
        "localcloud.sagemaker.deployment_config, localcloud.sagemaker.rollout",
        "localcloud.sagemaker.tuning_ranges, localcloud.sagemaker.tuning_results",
        "localcloud.sagemaker.transform_records",
        "localcloud.scheduler.expressions, localcloud.scheduler.clock",
    ],
)
def test_modules_do_not_import_moto(modules: str) -> None:
    code = f"import sys, {modules}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'moto'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"
