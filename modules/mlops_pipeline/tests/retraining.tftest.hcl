# Scheduled retraining (retraining.tf): the schedule, its role, and the trigger's read of the input prefix.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

run "no_schedule_by_default" {
  command = plan

  assert {
    condition     = length(aws_scheduler_schedule.retrain) == 0 && length(aws_iam_role.scheduler) == 0 && length([for s in data.aws_iam_policy_document.trigger.statement : s if s.sid == "ListInputForRetraining"]) == 0
    error_message = "no retrain_schedule: no schedule, no role, and the trigger cannot list the bucket"
  }
}

run "weekly_retraining" {
  command = plan

  variables {
    retrain_schedule = { expression = "cron(0 6 ? * MON *)", timezone = "Europe/Paris" }
  }

  assert {
    condition = (
      aws_scheduler_schedule.retrain[0].name == "churn-xgboost-retrain" &&
      aws_scheduler_schedule.retrain[0].schedule_expression == "cron(0 6 ? * MON *)" &&
      aws_scheduler_schedule.retrain[0].schedule_expression_timezone == "Europe/Paris" &&
      jsondecode(one(aws_scheduler_schedule.retrain[0].target).input) == {
        retrain = {
          schedule_arn      = "<aws.scheduler.schedule-arn>"
          scheduled_time    = "<aws.scheduler.scheduled-time>"
          retrain_unchanged = false
        }
      }
    )
    error_message = "the schedule invokes the trigger with a retrain request naming the tick"
  }

  assert {
    condition = (
      one(one(data.aws_iam_policy_document.scheduler_assume_role[0].statement).principals).identifiers == toset(["scheduler.amazonaws.com"]) &&
      toset(flatten([for s in data.aws_iam_policy_document.scheduler[0].statement : s.actions])) == toset(["lambda:InvokeFunction", "sqs:SendMessage"]) &&
      aws_iam_role.scheduler[0].name == "churn-xgboost-scheduler"
    )
    error_message = "the schedule's role may only invoke the trigger and dead-letter a tick"
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.trigger.statement : s.resources if s.sid == "ListInputForRetraining"]) == toset(["arn:aws:s3:::churn-xgboost-123456789012-us-east-1"]) &&
      toset(one(one([for s in data.aws_iam_policy_document.trigger.statement : s.condition if s.sid == "ListInputForRetraining"])).values) == toset(["input/", "input/*"]) &&
      one([for s in data.aws_iam_policy_document.trigger.statement : s.resources if s.sid == "ReadInputVersionsForRetraining"]) == toset(["arn:aws:s3:::churn-xgboost-123456789012-us-east-1/input/*"])
    )
    error_message = "with a schedule the trigger lists and reads the input prefix only"
  }
}

run "retrain_schedule_expression_is_validated" {
  command = plan

  variables {
    retrain_schedule = { expression = "every monday" }
  }

  expect_failures = [var.retrain_schedule]
}

run "retrain_schedule_more_often_than_hourly_is_refused" {
  command = plan

  variables {
    retrain_schedule = { expression = "rate(5 minutes)" }
  }

  expect_failures = [var.retrain_schedule]
}
