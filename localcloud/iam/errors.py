"""The one error the evaluator raises: the policy says something it cannot evaluate as strictly as AWS."""

from __future__ import annotations


class PolicyEvaluationError(Exception):
    """A policy uses an operator, condition key or element the evaluator does not support, or one AWS rejects.

    Callers turn it into a denial: guessing would either grant what AWS refuses or hide a policy bug.
    """

    def __init__(self, problem: str, *, policy_name: str, statement_id: str | None = None) -> None:
        self.problem = problem
        self.policy_name = policy_name
        self.statement_id = statement_id
        where = f"policy {policy_name!r}" + (f", statement {statement_id!r}" if statement_id else "")
        super().__init__(f"{where}: {problem}")


class PolicyProblem(Exception):
    """Raised by the element parsers, which do not know their location; the document parser adds it."""
