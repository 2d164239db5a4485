"""The pipeline's state machine: one ASL template rendered by Terraform and, identically, by Python."""
