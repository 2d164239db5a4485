"""Trigger Lambda: turns an S3 upload under the input prefix into one Step Functions run.

Only `trigger.handler` reads the environment; every other module is a pure function of its
arguments, so it can be tested without AWS and without configuration.
"""
