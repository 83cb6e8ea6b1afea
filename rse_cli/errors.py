"""The error tree and its exit codes, in one place.

Services raise these; only the CLI turns them into a message on stderr and an exit code.
Every message says what to do next. No message ever contains a secret: the HTTP layer
builds its errors from the method, the redacted path and the server's errcode/error only.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "AbortedError",
    "AmbiguousError",
    "AuthError",
    "BatchError",
    "ConfigError",
    "ConflictError",
    "ExitCode",
    "FindingsError",
    "ForbiddenError",
    "InputError",
    "NetworkError",
    "NotFoundError",
    "RateLimitedError",
    "RseError",
    "ServerError",
    "UsageError",
]


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # unexpected: a bug in rse
    USAGE = 2  # bad flags, config, CSV, manifest or template
    AUTH = 3  # no token, expired token, wrong password
    NOT_FOUND = 4  # unknown community, room or person; ambiguous name
    NETWORK = 5  # server unreachable, timeout, TLS failure
    SERVER = 6  # the server refused or failed (4xx/5xx other than auth and not-found)
    CONFLICT = 7  # already exists, locked by another run
    FINDINGS = 8  # an audit found something at or above --fail-on
    INTERRUPTED = 130


class RseError(Exception):
    """Base of every error rse reports to the user."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None, status: int = 0, errcode: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.status = status  # HTTP status when the error came from the server
        self.errcode = errcode  # the network's own error code (Matrix: M_FORBIDDEN, …)

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UsageError(RseError):
    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    """A config file or value is invalid: names the file, the key and what was expected."""


class InputError(UsageError):
    """A user-supplied file (CSV, manifest, template, note) is invalid."""


class AuthError(RseError):
    exit_code = ExitCode.AUTH


class NotFoundError(RseError):
    exit_code = ExitCode.NOT_FOUND


class AmbiguousError(NotFoundError):
    pass


class NetworkError(RseError):
    """The server could not be reached (connection, timeout, TLS)."""

    exit_code = ExitCode.NETWORK


class ServerError(RseError):
    """The server answered with an error."""

    exit_code = ExitCode.SERVER


class ForbiddenError(ServerError):
    pass


class RateLimitedError(ServerError):
    """Raised only when retries are exhausted; normally the HTTP layer waits and retries."""


class ConflictError(RseError):
    exit_code = ExitCode.CONFLICT


class FindingsError(RseError):
    """An audit found something at or above `--fail-on` (its report is printed all the same)."""

    exit_code = ExitCode.FINDINGS


class AbortedError(RseError):
    """The user answered no to a confirmation: nothing was done."""

    exit_code = ExitCode.ERROR


class BatchError(RseError):
    """Some items of a batch failed (the others were done and reported); the exit code is the
    first failure's, so `rse member add` with one unknown person exits 4 like a lookup would."""

    def __init__(self, message: str, *, exit_code: int = ExitCode.ERROR, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = ExitCode(exit_code)
