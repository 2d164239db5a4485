terraform {
  # 1.9 is the first release whose variable validations may refer to other variables.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Tested with 5.100.0, the release in the offline provider mirror.
      version = ">= 5.60"
    }
  }
}
