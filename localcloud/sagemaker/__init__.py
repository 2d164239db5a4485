"""SageMaker: training jobs, endpoints and inference for the XGBoost built-in image (see README.md).

`PATCHES` (in `patches.py`) is loaded on first access rather than on import: the training container
and the model server run as `python -m localcloud.sagemaker.<module>` subprocesses, and importing
moto there would add about 0.35 s to every training job and endpoint start.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "PATCHES":
        from localcloud.sagemaker.patches import PATCHES

        return PATCHES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
