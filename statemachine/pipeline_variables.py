"""Compute the state machine template variables of one pipeline from tfvars files, as Terraform does.

The root configuration (terraform/) instantiates modules/mlops_pipeline once per entry of the `pipelines`
map, with the entry's key as the pipeline name; each entry holds module inputs. Inputs an entry leaves out
take the module's defaults, read from the module's variables.tf itself so that the two cannot drift apart.
The root's own `region` and `endpoint_poll_interval_seconds` (an override for every pipeline) apply too.
Derived names follow modules/mlops_pipeline/main.tf: Glue job `<name>-etl`, SageMaker role
`<name>-sagemaker`, endpoint `<name>-endpoint` unless set.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import hcl2

REPO_ROOT = Path(__file__).resolve().parent.parent
MODULE_VARIABLES_PATH = REPO_ROOT / "modules" / "mlops_pipeline" / "variables.tf"

# The local cloud's region and account: placeholders that make the printed ASL complete.
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"

# Registry accounts of SageMaker's prebuilt images that were checked against the aws provider's
# aws_sagemaker_prebuilt_ecr_image. Terraform knows every region; here, others need --training-image.
PREBUILT_IMAGE_REGISTRIES: dict[tuple[str, str], str] = {
    ("sagemaker-xgboost", "us-east-1"): "683313688378",
}

# Module inputs the root sets itself rather than from a `pipelines` entry.
_ROOT_SET_INPUTS = frozenset(
    {"name", "trigger_package_path", "glue_script_path", "state_machine_template_path"}
)
_PIPELINE_NAME = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_HCL_OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, with_comments=False)


def read_hcl(path: Path) -> dict[str, Any]:
    """A Terraform file as Python values (strings unquoted and unescaped)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"{path}: cannot read: {error.strerror}") from error
    try:
        return hcl2.loads(text, serialization_options=_HCL_OPTIONS)
    except Exception as error:  # python-hcl2 raises lark's many exception types on bad syntax
        raise ValueError(f"{path}: not valid HCL: {error}") from error


def module_variables(path: Path = MODULE_VARIABLES_PATH) -> dict[str, dict[str, Any]]:
    """Each module input with its declared `type` and, when it has one, its `default`."""
    path = Path(path)
    try:
        modified = path.stat().st_mtime_ns
    except OSError as error:
        raise ValueError(f"{path}: cannot read: {error.strerror}") from error
    return copy.deepcopy(_module_variables(path, modified))


@functools.lru_cache(maxsize=8)
def _module_variables(path: Path, modified: int) -> dict[str, dict[str, Any]]:
    # Parsing variables.tf takes a noticeable fraction of a second; `modified` keys the cache to the file.
    declared: dict[str, dict[str, Any]] = {}
    for block in read_hcl(path).get("variable", []):
        for name, body in block.items():
            declared[name] = {key: body[key] for key in ("type", "default") if key in body}
    if not declared:
        raise ValueError(f"{path}: declares no variables")
    return declared


def _as_type(value: Any, type_expression: str, where: str) -> Any:
    """The value converted as Terraform converts an input to its declared type (the types used here)."""
    if value is None:
        return None
    if type_expression == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return _number_text(value)
        if isinstance(value, str):
            return value
    elif type_expression == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                pass
            else:
                return int(number) if number.is_integer() else number
    elif type_expression == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
    elif type_expression == "${map(string)}":
        if isinstance(value, Mapping):
            return {str(key): _as_type(item, "string", f"{where}.{key}") for key, item in value.items()}
    else:
        return value
    raise ValueError(f"{where}: {value!r} is not a valid {type_expression.strip('${}')}")


def _number_text(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def load_tfvars(var_files: Sequence[Path]) -> dict[str, Any]:
    """The root variables the tfvars files set; as with repeated -var-file, a later file's value wins."""
    if not var_files:
        raise ValueError("no tfvars file given")
    merged: dict[str, Any] = {}
    for var_file in var_files:
        merged.update(read_hcl(var_file))
    return merged


def _pipelines(tfvars: Mapping[str, Any], files: str) -> dict[str, dict[str, Any]]:
    pipelines = tfvars.get("pipelines")
    if not isinstance(pipelines, Mapping) or not pipelines:
        raise ValueError(f"{files}: no `pipelines` map (pipelines = {{ <name> = {{ ... }} }})")
    for key, settings in pipelines.items():
        if not isinstance(settings, Mapping):
            raise ValueError(f"{files}: pipelines.{key} must be an object of module inputs")
    return {key: dict(settings) for key, settings in pipelines.items()}


def _image_uri(settings: Mapping[str, Any], region: str, where: str) -> str:
    repository, tag = settings["training_image_repository"], settings["training_image_tag"]
    account = PREBUILT_IMAGE_REGISTRIES.get((repository, region))
    if account is None:
        raise ValueError(
            f"{where}: the registry of prebuilt image {repository}:{tag} in {region} is not known here "
            "(Terraform resolves it with aws_sagemaker_prebuilt_ecr_image); pass --training-image"
        )
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{account}.dkr.ecr.{region}.{domain}/{repository}:{tag}"


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def template_variables(
    name: str,
    settings: Mapping[str, Any],
    *,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    training_image: str | None = None,
    module_variables_path: Path = MODULE_VARIABLES_PATH,
    where: str | None = None,
) -> dict[str, Any]:
    """The templatefile() variables the module computes for a pipeline `name` with these inputs."""
    where = where or f"pipelines.{name}"
    if not _PIPELINE_NAME.match(name) or not 3 <= len(name) <= 24:
        raise ValueError(
            f"{where}: pipeline name {name!r} must be 3-24 lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen"
        )
    if not _REGION.match(region):
        raise ValueError(f"region {region!r} is not an AWS region name such as us-east-1")
    if not _ACCOUNT_ID.match(account_id):
        raise ValueError(f"account id {account_id!r} must be 12 digits")

    declared = module_variables(module_variables_path)
    unknown = sorted(set(settings) - (set(declared) - _ROOT_SET_INPUTS))
    if unknown:
        raise ValueError(f"{where}: {', '.join(unknown)} not a pipeline setting (see modules/mlops_pipeline)")
    resolved: dict[str, Any] = {}
    for variable, declaration in declared.items():
        value = settings.get(variable, declaration.get("default"))
        # Module inputs are non-nullable: null means "use the default", as in Terraform.
        if value is None:
            value = declaration.get("default")
        resolved[variable] = _as_type(value, declaration.get("type", "any"), f"{where}.{variable}")
    resolved["name"] = name

    image = training_image or resolved.get("training_image_uri") or _image_uri(resolved, region, where)
    return {
        "glue_job_name": f"{name}-etl",
        "training_image": image,
        "sagemaker_role_arn": f"arn:{_partition(region)}:iam::{account_id}:role/{name}-sagemaker",
        "hyperparameters": resolved["hyperparameters"],
        "training_content_type": resolved["training_content_type"],
        "training_instance_type": resolved["training_instance_type"],
        "training_instance_count": resolved["training_instance_count"],
        "training_volume_size_gb": resolved["training_volume_size_gb"],
        "training_max_runtime_seconds": resolved["training_max_runtime_seconds"],
        "quality_gate_enabled": resolved["quality_gate_enabled"],
        "quality_gate_metric_name": resolved["quality_gate_metric_name"],
        "quality_gate_comparison": resolved["quality_gate_comparison"],
        "quality_gate_threshold": resolved["quality_gate_threshold"],
        # coalesce() in the module treats "" like null.
        "endpoint_name": resolved["endpoint_name"] or f"{name}-endpoint",
        "endpoint_instance_type": resolved["endpoint_instance_type"],
        "endpoint_instance_count": resolved["endpoint_instance_count"],
        "endpoint_poll_interval_seconds": resolved["endpoint_poll_interval_seconds"],
        "endpoint_max_polls": resolved["endpoint_max_polls"],
    }


def template_variables_from_tfvars(
    var_files: Path | Sequence[Path],
    pipeline: str,
    *,
    region: str | None = None,
    account_id: str = DEFAULT_ACCOUNT_ID,
    training_image: str | None = None,
    module_variables_path: Path = MODULE_VARIABLES_PATH,
) -> dict[str, Any]:
    """The template variables of pipeline `pipeline` (its key in `pipelines`) as the root configuration
    computes them from these tfvars files. `region` overrides the files' `region` (default us-east-1)."""
    files = [Path(var_files)] if isinstance(var_files, str | Path) else [Path(path) for path in var_files]
    described = ", ".join(str(path) for path in files)
    tfvars = load_tfvars(files)
    pipelines = _pipelines(tfvars, described)
    if pipeline not in pipelines:
        raise ValueError(
            f"{described}: no pipeline {pipeline!r} in `pipelines` (has: {', '.join(sorted(pipelines))})"
        )
    settings = pipelines[pipeline]
    # terraform/main.tf: a root-level endpoint_poll_interval_seconds overrides every pipeline's.
    if tfvars.get("endpoint_poll_interval_seconds") is not None:
        settings["endpoint_poll_interval_seconds"] = tfvars["endpoint_poll_interval_seconds"]
    return template_variables(
        pipeline,
        settings,
        region=region or tfvars.get("region") or DEFAULT_REGION,
        account_id=account_id,
        training_image=training_image,
        module_variables_path=module_variables_path,
        where=f"{described}: pipelines.{pipeline}",
    )
