"""Delete what a pipeline's runs created outside Terraform, so `terraform destroy` can remove the rest.

Runs create SageMaker resources that Terraform does not manage: the endpoint, one endpoint config
and one model per run, and one version per run in the pipeline's model package group (the registry;
SageMaker refuses to delete a group that still has versions). They, and the run data in the bucket
(every object version), are deleted here: this is for taking a pipeline down, its model records go with
it. Training jobs cannot be deleted in SageMaker; they cost nothing once finished.

    python scripts/empty_pipeline.py --bucket BUCKET --endpoint ENDPOINT --name-prefix PIPELINE \
        [--endpoint-url URL]

Works against AWS (default credential chain) or the local cloud (`--endpoint-url`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import boto3

# The trigger names a run's model and endpoint config `<pipeline>--<run id>` (lambdas/trigger/naming.py,
# PIPELINE_NAME_SEPARATOR; tests/test_sagemaker_name_isolation.py checks both agree). A pipeline name never
# contains "--", so `churn--` matches pipeline churn's names and never churn-xgboost's.
NAME_SEPARATOR = "--"


def delete_sagemaker_resources(sagemaker: Any, endpoint_name: str, name_prefix: str) -> list[str]:
    """Delete the endpoint, every endpoint config and model of pipeline `name_prefix` (`<name>--...`) and
    the versions of its model package group."""
    deleted: list[str] = []
    try:
        sagemaker.delete_endpoint(EndpointName=endpoint_name)
        deleted.append(f"endpoint {endpoint_name}")
    except sagemaker.exceptions.ClientError as error:
        if "Could not find endpoint" not in str(error):
            raise
    for page in sagemaker.get_paginator("list_endpoint_configs").paginate(NameContains=name_prefix):
        for config in page["EndpointConfigs"]:
            if config["EndpointConfigName"].startswith(f"{name_prefix}{NAME_SEPARATOR}"):
                sagemaker.delete_endpoint_config(EndpointConfigName=config["EndpointConfigName"])
                deleted.append(f"endpoint config {config['EndpointConfigName']}")
    for page in sagemaker.get_paginator("list_models").paginate(NameContains=name_prefix):
        for model in page["Models"]:
            if model["ModelName"].startswith(f"{name_prefix}{NAME_SEPARATOR}"):
                sagemaker.delete_model(ModelName=model["ModelName"])
                deleted.append(f"model {model['ModelName']}")
    deleted.extend(delete_model_package_versions(sagemaker, name_prefix))
    return deleted


def delete_model_package_versions(sagemaker: Any, group: str) -> list[str]:
    """Delete every version in the model package group `group` (the pipeline's name), if it exists."""
    deleted: list[str] = []
    try:
        for page in sagemaker.get_paginator("list_model_packages").paginate(ModelPackageGroupName=group):
            for package in page["ModelPackageSummaryList"]:
                sagemaker.delete_model_package(ModelPackageName=package["ModelPackageArn"])
                deleted.append(f"model package {package['ModelPackageArn']}")
    except sagemaker.exceptions.ClientError as error:
        if "does not exist" not in str(error):
            raise
    return deleted


def empty_deployed_pipeline(sagemaker: Any, s3: Any, outputs: dict[str, Any], pipeline: str) -> None:
    """Everything above for a pipeline deployed by the root configuration (its `pipelines` output entry)."""
    delete_sagemaker_resources(sagemaker, outputs["endpoint_name"], pipeline)
    empty_bucket(s3, outputs["bucket_name"])


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker; returns how many were deleted."""
    count = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        entries = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if entries:
            response = s3.delete_objects(Bucket=bucket, Delete={"Objects": entries, "Quiet": True})
            if response.get("Errors"):
                raise RuntimeError(f"could not delete from s3://{bucket}: {response['Errors'][:3]}")
            count += len(entries)
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--endpoint", required=True, help="the pipeline's endpoint name")
    parser.add_argument("--name-prefix", required=True, help="the pipeline name")
    parser.add_argument(
        "--endpoint-url", help="e.g. http://127.0.0.1:4566 for the local cloud; unset for AWS"
    )
    parser.add_argument("--region")
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    sagemaker = session.client("sagemaker", endpoint_url=args.endpoint_url)
    s3 = session.client("s3", endpoint_url=args.endpoint_url)
    for line in delete_sagemaker_resources(sagemaker, args.endpoint, args.name_prefix):
        print(f"deleted {line}")
    print(f"deleted {empty_bucket(s3, args.bucket)} object versions from s3://{args.bucket}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
