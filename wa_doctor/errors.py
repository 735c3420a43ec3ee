"""Every exception this package raises, documented in one place.

::

    DoctorError                 base; carries the finding id it stands for and its parameters
    ├── ConfigError             a bad option or setting: a usage error, the run stops at start
    ├── StoreError              the CRM database could not be read (db.* findings)
    ├── EnvFileError            renew-token cannot rewrite the env file; nothing was changed
    ├── GraphError              the Graph API could not give an answer (graph.* findings)
    │   └── GraphApiError       Graph answered with an error body (code, subcode, fbtrace_id)
    └── Skip                    the check does not run; the report says why
        ├── Blocked             another finding is the root cause ("blocked by token.invalid")
        └── NotApplicable       nothing to check here (no database configured, …)

    ExplainError (ValueError)   ``wa-doctor explain`` found no error code in its input
    Refused                     ``wa-doctor renew-token`` stops before writing; the remedies say why
    UndeclaredRead              a check read a prerequisite it did not declare: a bug in this tool

Checks let these propagate; the runner turns each into its finding, so a failure in a network
call or the database becomes a line in the report with a remedy, never a traceback.
Messages are always redacted before they are stored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .catalog import Remedy


class DoctorError(Exception):
    """Base class: an expected failure that maps to a catalog finding."""

    finding_id = "doctor.internal_error"

    def __init__(self, message: str, finding_id: str | None = None, **params: Any) -> None:
        super().__init__(message)
        if finding_id:
            self.finding_id = finding_id
        self.params: Mapping[str, Any] = {"detail": message, **params}


class ConfigError(DoctorError):
    """A setting has a value that cannot be used; reported as a usage error naming the option."""

    finding_id = "config.invalid_setting"


class StoreError(DoctorError):
    """The credential table could not be read (or, renewing a token, written)."""

    finding_id = "db.unreachable"


class EnvFileError(DoctorError):
    """The env file cannot be renewed (not UTF-8, not writable, …); nothing was changed."""

    finding_id = "renew.env_file_unusable"


class GraphError(DoctorError):
    """No usable answer from the Graph API: unreachable, timeout, 5xx, or not JSON."""

    finding_id = "graph.unreachable"


class GraphApiError(GraphError):
    """The Graph API answered with its JSON error object; fields kept as Meta sent them."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | None,
        subcode: int | None = None,
        error_type: str | None = None,
        fbtrace_id: str | None = None,
        details: str | None = None,
        meta_message: str | None = None,
        finding_id: str | None = None,
    ) -> None:
        super().__init__(
            message,
            finding_id,
            status=status,
            code=code,
            subcode=subcode,
            error_type=error_type,
            fbtrace_id=fbtrace_id,
            details=details,
            meta_message=meta_message or message,
        )
        self.status = status
        self.code = code
        self.subcode = subcode
        self.error_type = error_type
        self.fbtrace_id = fbtrace_id
        self.details = details
        self.meta_message = meta_message or message

    def as_finding(self, finding_id: str, **params: Any) -> GraphApiError:
        """The same answer read as another finding, with more parameters: a new error, since
        the Graph session keeps this one for every other reader of the answer."""
        error = GraphApiError(
            str(self),
            status=self.status,
            code=self.code,
            subcode=self.subcode,
            error_type=self.error_type,
            fbtrace_id=self.fbtrace_id,
            details=self.details,
            meta_message=self.meta_message,
            finding_id=finding_id,
        )
        error.params = {**error.params, **params}
        return error


class Skip(DoctorError):
    """The check does not run. ``reason`` is a catalog label key, ``params`` fill it."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason, **params)
        self.reason = reason


class Blocked(Skip):
    """This check depends on something another check already found broken.

    One root cause then gives one failure, not ten: the dependent checks are skipped with
    "blocked by <finding id>".
    """

    def __init__(self, root_finding: str) -> None:
        super().__init__("skip_blocked", root=root_finding)
        self.root_finding = root_finding


class NotApplicable(Skip):
    """There is nothing to check (no database configured, no WABA id given, …)."""


class ExplainError(ValueError):
    """The input holds no error code ``wa-doctor explain`` can read (a usage error)."""


class Refused(Exception):
    """The renewal stops before writing anything; carries what to tell the user."""

    def __init__(self, *remedies: Remedy) -> None:
        super().__init__(", ".join(r.id for r in remedies))
        self.remedies = remedies


class UndeclaredRead(Exception):
    """A check or prerequisite read a prerequisite it did not declare (the run would not have
    fetched it ahead): a bug in this tool, reported as ``doctor.internal_error``."""
