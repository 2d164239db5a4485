"""Everything the local cloud adds to or changes in moto 5.2.5, one module per service.

Each module exposes `apply()`, which is idempotent; `apply_all()` applies them all before the server
starts serving.
"""

from __future__ import annotations

import importlib
import importlib.util

_PATCH_MODULES = (
    "localcloud.patches.s3",
    "localcloud.patches.stepfunctions",
    "localcloud.patches.glue",
    "localcloud.patches.lambda_invoke",
)
# Written separately (SageMaker training, model server and endpoints; S3 event record shape);
# applied when present.
_OPTIONAL_PATCH_MODULES = ("localcloud.patches.sagemaker", "localcloud.patches.s3_notifications")


def apply_all() -> None:
    for name in _PATCH_MODULES:
        importlib.import_module(name).apply()
    for name in _OPTIONAL_PATCH_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).apply()
