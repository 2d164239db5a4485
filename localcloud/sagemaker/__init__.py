"""Local emulation of SageMaker training jobs, endpoints and inference for the XGBoost built-in image.

See README.md in this folder for what is emulated and what is not.
"""
