"""Churn-like sample data for the demo, the tests and the benchmarks (see sample_data/README.md)."""

from sample_data.churn import FEATURE_COUNT, write_churn_csv

__all__ = ["FEATURE_COUNT", "write_churn_csv"]
