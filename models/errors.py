"""The one error hierarchy of jointaudit; its classes decide whether work is retried.

JointauditError
├── InputError            bad input from a person or a file: never retried
│   ├── ImportFileError   a file with located problems (file, line or YAML path, field)
│   └── SignInRefusedError an identity provider's answer signs nobody in (the reason kept)
├── NotFoundError         a named thing does not exist: never retried
├── ConflictError         the change contradicts the current state: never retried
├── ConfigurationError    settings are missing or unsafe: never retried
└── TransientError        a dependency failed for now (network, lock): retried
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PROBLEMS_SHOWN = 100


class JointauditError(Exception):
    """Base of every error jointaudit raises on purpose."""

    retryable = False


class InputError(JointauditError):
    """Raised when input from a person or a file is invalid."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ImportFileError(InputError):
    """Raised when a file holds problems (`omitted`: how many beyond those listed); nothing
    was written."""

    def __init__(self, source: str, problems: list[Problem], *, omitted: int = 0) -> None:
        self.source = source
        self.problems = problems
        self.omitted = omitted
        count = len(problems) + omitted
        noun = "problem" if count == 1 else "problems"
        shown = problems[:MAX_PROBLEMS_SHOWN]
        lines = "\n".join(f"  {source}: {p}" for p in shown)
        if count > len(shown):
            lines += f"\n  ... and {count - len(shown)} more"
        super().__init__(f"{source}: {count} {noun}, nothing was imported:\n{lines}")


class SignInRefusedError(InputError):
    """Raised when a provider's answer (its ID token, its claims) must not sign anyone in."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"sign-in refused: {reason}")
        self.reason = reason


class NotFoundError(JointauditError):
    """Raised when a named record does not exist."""


class ConflictError(JointauditError):
    """Raised when a change contradicts the current state of a record."""


class ConfigurationError(JointauditError):
    """Raised when settings are missing, malformed or unsafe for the environment."""


class TransientError(JointauditError):
    """Raised when a dependency failed in a way that may succeed on retry."""

    retryable = True


class WriterBusyError(TransientError):
    """Raised when a SQLite write transaction asked not to wait found another writer holding the
    file (`NO_WAIT`): the work has not started, and may be run where waiting is harmless."""


def is_retryable(error: BaseException) -> bool:
    """Whether retrying the work that raised `error` may succeed."""
    if isinstance(error, JointauditError):
        return error.retryable
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(error, OperationalError):
        return True  # connection lost, database locked, server restarting
    return isinstance(error, DBAPIError) and error.connection_invalidated
