# TFLint configuration (https://github.com/terraform-linters/tflint). `make lint` runs it on the module,
# the root and the examples when tflint is installed; `tflint --init` downloads the AWS ruleset once.
config {
  # Lint the module calls of the root and the examples with the module's own code.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

plugin "aws" {
  enabled = true
  version = "0.44.0"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
}
