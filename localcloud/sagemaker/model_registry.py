"""The SageMaker Model Registry on top of moto 5.2.5's model package groups and model packages.

moto stores groups and packages and answers Create/Describe/List/UpdateModelPackage. What it gets wrong for a
pipeline that registers models and deploys them:

- CreateModelPackage numbers a group's versions `len(versions) + 1` with no lock, so two registrations at
  once (a burst of uploads) can get the same version, the second overwriting the first under the same ARN.
  Here it runs under `SAGEMAKER_STATE_LOCK` and a new version is one above the highest the group ever had
  (a deleted version's number is not given again), so each group's versions are 1, 2, 3, ... as on AWS
  ("The version of each model package is a numerical value that starts at 1 and is incremented with each
  new model package added to a Model Group", SageMaker Developer Guide, "Model Registry Models, Model
  Versions, and Model Groups").
  The model registry's reads hold the lock too: moto's listings iterate the dicts creations change.
- A group given by its ARN (allowed by the API) is looked up by name.
- `ClientToken` makes CreateModelPackage idempotent: the same token in the same group returns the version
  it created (moto stored the token and created another version).
- DeleteModelPackage and DeleteModelPackageGroup (moto answered HTTP 500): a group is deleted only once
  its versions are, otherwise `ConflictException`, so `terraform destroy` after the cleanup script works
  and a group's records are never dropped with it.
- UpdateModelPackage sets every field it was not given to nothing: an update of the approval status alone
  clears the approval description and the customer metadata (and removing a key then fails). Here an update
  changes what it names: `CustomerMetadataProperties` adds or replaces keys, `...ToRemove` removes keys.
- CreateModel with a container naming a model package (`ModelPackageName`, "Deploy a Model in the Registry
  (Boto3)") was stored as sent, and an endpoint on it found no image. Here CreateModel checks the package
  as SageMaker does: it must exist, an ARN must be of this region (AWS's `ARN should be scoped to correct
  region: <region>`), and a versioned package must be `Approved` (the API Reference, CreateModelPackage
  `ModelApprovalStatus`: "For versioned models, the value of this parameter must be set to Approved to
  deploy the model"); the package's inference containers are kept with the model, and an endpoint on the
  model serves them (`package_containers`, read by `endpoints`).
"""

from __future__ import annotations

import copy
import functools
import re
import weakref
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ConflictException, ValidationError
from moto.sagemaker.models import Model, ModelPackage, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

from localcloud import patching
from localcloud.sagemaker import model_package_events
from localcloud.shared_state import SAGEMAKER_STATE_LOCK, under_sagemaker_state_lock

_ARN = re.compile(
    r"^arn:[^:]+:sagemaker:(?P<region>[^:]*):(?P<account>\d{12}):(?P<type>[a-z-]+)/(?P<name>.+)$"
)
# The package containers each model created from a model package serves, as they were at CreateModel.
_PACKAGE_CONTAINERS: weakref.WeakKeyDictionary[Model, list[dict[str, Any]]] = weakref.WeakKeyDictionary()


def _group_name(backend: SageMakerModelBackend, name_or_arn: str | None) -> str | None:
    """A model package group's name from its name or its ARN in this account and region."""
    arn = _ARN.match(name_or_arn or "")
    here = (backend.region_name, backend.account_id)
    if arn and arn["type"] == "model-package-group" and (arn["region"], arn["account"]) == here:
        return arn["name"]
    return name_or_arn


# The highest version each group ever had, so a deleted version's number is never given again, as on AWS.
_HIGHEST_VERSION: dict[tuple[str, str, str], int] = {}


def _renumber(backend: SageMakerModelBackend, package: ModelPackage, version: int) -> str:
    """Give a new versioned package the version it should have (moto counts the group's packages)."""
    old_arn = package.arn
    package.model_package_version = version
    package.arn = f"{old_arn.rsplit('/', 1)[0]}/{version}"
    del backend.model_packages[old_arn]
    backend.model_packages[package.arn] = package
    for name, arn in list(backend.model_package_name_mapping.items()):
        if arn == old_arn:
            del backend.model_package_name_mapping[name]
    backend.model_package_name_mapping[package.arn] = package.arn
    return package.arn


def _create_model_package(original: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(original)
    def create_model_package(self: SageMakerModelBackend, **kwargs: Any) -> str:
        group = kwargs["model_package_group_name"] = _group_name(self, kwargs.get("model_package_group_name"))
        token = kwargs.get("client_token")
        with SAGEMAKER_STATE_LOCK:
            in_group = [
                package
                for package in self.model_packages.values()
                if group and package.model_package_group_name == group
            ]
            # ClientToken makes the call idempotent: a retry after a lost response gets the same version.
            for package in in_group:
                if token and package.client_token == token:
                    return package.arn
            arn = original(self, **kwargs)
            if not group:
                return arn
            key = (self.account_id, self.region_name, group)
            version = (
                max([_HIGHEST_VERSION.get(key, 0)] + [p.model_package_version or 0 for p in in_group]) + 1
            )
            _HIGHEST_VERSION[key] = version
            package = self.model_packages[arn]
            if package.model_package_version != version:
                arn = _renumber(self, package, version)
            created = model_package_events.state_change(package)
        if created is not None:
            created.emit()
        return arn

    return create_model_package


def delete_model_package(self: SageMakerModelBackend, model_package_name: str) -> None:
    """DeleteModelPackage (moto has none): the version is gone; its number is not given again."""
    with SAGEMAKER_STATE_LOCK:
        package = _find_package(self, model_package_name)
        if package is None:
            raise ValidationError(message=f"Model package {model_package_name} does not exist.")
        deleting = model_package_events.state_change(package, status="Deleting")
        del self.model_packages[package.arn]
        for name, arn in list(self.model_package_name_mapping.items()):
            if arn == package.arn:
                del self.model_package_name_mapping[name]
    if deleting is not None:
        deleting.emit()


def delete_model_package_group(self: SageMakerModelBackend, model_package_group_name: str) -> None:
    """DeleteModelPackageGroup (moto has none): refused while the group still has versions
    (ConflictException, the error the API models for it), so its records are never lost silently."""
    with SAGEMAKER_STATE_LOCK:
        group = _group_name(self, model_package_group_name) or ""
        if group not in self.model_package_groups:
            raise ValidationError(message=f"Model Package Group {group} does not exist.")
        versions = sorted(
            package.model_package_version or 0
            for package in self.model_packages.values()
            if package.model_package_group_name == group
        )
        if versions:
            raise ConflictException(
                f"Model Package Group {group} still has {len(versions)} model package version(s) "
                f"({', '.join(map(str, versions[:10]))}{', ...' if len(versions) > 10 else ''}); delete them "
                "first."
            )
        del self.model_package_groups[group]


def _delete_model_package_action(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.delete_model_package(self._get_param("ModelPackageName"))  # type: ignore[attr-defined]
    return ActionResult({})


def _delete_model_package_group_action(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.delete_model_package_group(  # type: ignore[attr-defined]
        self._get_param("ModelPackageGroupName")
    )
    return ActionResult({})


def _describe_model_package_group(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def describe_model_package_group(self: SageMakerModelBackend, model_package_group_name: str) -> Any:
        with SAGEMAKER_STATE_LOCK:
            return original(self, _group_name(self, model_package_group_name))

    return describe_model_package_group


def _find_package(backend: SageMakerModelBackend, reference: str) -> ModelPackage | None:
    arn = backend.model_package_name_mapping.get(reference, reference)
    return backend.model_packages.get(arn)


def _update_model_package(original: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(original)
    def update_model_package(
        self: SageMakerModelBackend,
        model_package_arn: str,
        model_approval_status: str | None,
        approval_description: str | None,
        customer_metadata_properties: dict[str, str] | None,
        customer_metadata_properties_to_remove: list[str],
        additional_inference_specifications_to_add: list[Any] | None,
    ) -> str:
        with SAGEMAKER_STATE_LOCK:
            package = _find_package(self, model_package_arn)
            if package is not None:
                if model_approval_status is None:
                    model_approval_status = package.model_approval_status
                if approval_description is None:
                    approval_description = package.approval_description
                merged = {
                    **(package.customer_metadata_properties or {}),
                    **(customer_metadata_properties or {}),
                }
                customer_metadata_properties = merged or None
                customer_metadata_properties_to_remove = [
                    key for key in customer_metadata_properties_to_remove or [] if key in merged
                ]
            arn = original(
                self,
                model_package_arn=model_package_arn,
                model_approval_status=model_approval_status,
                approval_description=approval_description,
                customer_metadata_properties=customer_metadata_properties,
                customer_metadata_properties_to_remove=customer_metadata_properties_to_remove,
                additional_inference_specifications_to_add=additional_inference_specifications_to_add,
            )
            if package is not None and package.customer_metadata_properties == {}:
                package.customer_metadata_properties = None
            updated = model_package_events.state_change(package) if package is not None else None
        if updated is not None:
            updated.emit()
        return arn

    return update_model_package


def _package_for_model(backend: SageMakerModelBackend, reference: str) -> ModelPackage:
    """The model package a CreateModel container names (name, `<group>/<version>` or ARN), checked."""
    arn = _ARN.match(reference)
    if arn:
        if arn["region"] != backend.region_name:
            raise ValidationError(message=f"ARN should be scoped to correct region: {backend.region_name}")
        candidates = [reference, f"{reference.rsplit(':', 1)[0]}:{arn['type']}/{arn['name'].lower()}"]
    else:
        candidates = [
            reference,
            f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:model-package/{reference.lower()}",
        ]
    package = next(
        (found for found in (_find_package(backend, candidate) for candidate in candidates) if found), None
    )
    if package is None or (arn and arn["account"] != backend.account_id):
        # The local cloud's wording: AWS's message for a missing package is not documented.
        raise ValidationError(message=f"Model package {reference} does not exist.")
    if package.model_package_version is not None and package.model_approval_status != "Approved":
        # The local cloud's wording; the rule is the API Reference's (see the module docstring).
        raise ValidationError(
            message=f"Model package {package.arn} has ModelApprovalStatus "
            f"{package.model_approval_status or 'unset'}: a versioned model package must be Approved to be "
            "deployed. Approve it with UpdateModelPackage first."
        )
    return package


def _create_model(original: Callable[..., Model]) -> Callable[..., Model]:
    @functools.wraps(original)
    def create_model(
        self: SageMakerModelBackend,
        model_name: str,
        execution_role_arn: str,
        primary_container: dict[str, Any] | None,
        vpc_config: dict[str, Any] | None,
        containers: list[dict[str, Any]] | None,
        tags: list[dict[str, str]] | None,
    ) -> Model:
        with SAGEMAKER_STATE_LOCK:
            named = [c for c in ([primary_container] if primary_container else containers or []) if c]
            packages = [
                _package_for_model(self, c["ModelPackageName"]) for c in named if c.get("ModelPackageName")
            ]
            model = original(
                self,
                model_name=model_name,
                execution_role_arn=execution_role_arn,
                primary_container=primary_container,
                vpc_config=vpc_config,
                containers=containers,
                tags=tags,
            )
            if packages:
                _PACKAGE_CONTAINERS[model] = [
                    copy.deepcopy(container)
                    for package in packages
                    for container in (package.inference_specification or {}).get("Containers") or []
                ]
        return model

    return create_model


def package_containers(model: Model, container: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers a model's container naming a model package runs: the package's inference containers as
    they were at CreateModel, each with the model container's `Environment` over the package's."""
    with SAGEMAKER_STATE_LOCK:
        found = _PACKAGE_CONTAINERS.get(model, [])
    environment = container.get("Environment") or {}
    return [
        {**found_container, "Environment": {**(found_container.get("Environment") or {}), **environment}}
        for found_container in found
    ]


PATCHES = (
    patching.add(__name__, SageMakerModelBackend, "delete_model_package", delete_model_package),
    patching.add(__name__, SageMakerModelBackend, "delete_model_package_group", delete_model_package_group),
    patching.add(__name__, SageMakerResponse, "delete_model_package", _delete_model_package_action),
    patching.add(
        __name__, SageMakerResponse, "delete_model_package_group", _delete_model_package_group_action
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "create_model_package",
        fingerprint="4ea72cf36a045ca5",
        build=_create_model_package,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "update_model_package",
        fingerprint="97b9da5816c6414b",
        build=_update_model_package,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "describe_model_package",
        fingerprint="60f443b2d242a4d6",
        build=under_sagemaker_state_lock,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "list_model_packages",
        fingerprint="d9276a55068e10ce",
        build=under_sagemaker_state_lock,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "create_model_package_group",
        fingerprint="817165edef9f3c52",
        build=under_sagemaker_state_lock,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "describe_model_package_group",
        fingerprint="d377b46e6abd36a9",
        build=_describe_model_package_group,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "list_model_package_groups",
        fingerprint="67195f2d1cec22c7",
        build=under_sagemaker_state_lock,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "create_model",
        fingerprint="65dbd42f10d0d10c",
        build=_create_model,
    ),
)
