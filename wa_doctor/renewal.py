"""Renew a credential's token without the hand-written UPDATE of the guides.

Done by hand, the guides' last step loses the working token to a mis-copied one, overwrites every
active row when several exist, and leaves ``.env.local``, Vercel and the database disagreeing.
Here nothing is written before Meta confirms the new token works for that credential's number;
then exactly one row is written, guarded by the ``updated_at`` that was read, re-read and
compared; then ``.env.local`` is rewritten atomically. What cannot be done from here (Vercel) is
printed as steps. The token only ever appears as a preview.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .catalog import Remedy
from .checks import configuration, phone, token
from .credentials import Credential, clean_token
from .doctor import Doctor
from .errors import EnvFileError, Refused, StoreError
from .files import EnvFileUpdate, plan_env_update
from .findings import Finding, Outcome, finding
from .redaction import token_preview
from .runner import run_check
from .store import read_active_credentials
from .token_write import replace_token

ENV_NAME = "WHATSAPP_ACCESS_TOKEN"
TEMPORARY = "token.temporary"

VALIDATION = (
    configuration.token_well_formed,
    token.token_valid,
    token.token_scopes,
    token.token_grants_waba,
    phone.phone_number_exists,
    token.token_permanent,
    token.token_not_expiring_soon,
)
"""What a new token must pass before anything is written, in the order they are reported."""


@dataclass(frozen=True)
class RenewRequest:
    """The command's options."""

    env_file: Path | None = None
    backup: bool = False
    dry_run: bool = False
    allow_temporary: bool = False
    vercel: bool = False


class Renewal:
    """One renewal: pick the credential, read and validate the new token, write, verify, tell."""

    def __init__(
        self,
        doctor: Doctor,
        request: RenewRequest,
        say: Callable[[str], None],
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        self.doctor = doctor
        self.new_token = ""
        self.request = request
        self._say = say
        self.confirm = confirm

    def _receive(self, new_token: str) -> None:
        self.new_token = clean_token(new_token) or ""
        if self.new_token:
            self.doctor.redactor.add(self.new_token)

    def run(self, read_token: Callable[[], str]) -> int:
        """0 when the token was replaced (or would be, with ``--dry-run``), 1 when refused.

        The token is asked for only once there is somewhere to put it: a secret typed for
        nothing is a secret typed once too often."""
        try:
            target = self.target()
            self._receive(read_token())
            self.validate(target)
            self.say(
                "renew_plan",
                credential=target.label,
                old=target.token_preview,
                new=token_preview(self.new_token),
            )
            update = self.plan_env_file()
            if self.request.dry_run:
                self.say("renew_dry_run")
                return 0
            if target.from_database:
                self.write_row(target)
        except Refused as refused:
            for remedy in refused.remedies:
                self.show(remedy, blocking=True)
            self.say("renew_nothing_written")
            return 1
        if update is not None and not self.write_env_file(update, target):
            return 1
        self.say("renew_manual_vercel", name=ENV_NAME)
        if self.request.vercel and shutil.which("vercel"):
            self.say("renew_vercel_commands", name=ENV_NAME)
        self.say("renew_then_diagnose")
        return 0

    # -- which credential ------------------------------------------------------------------
    def target(self) -> Credential:
        """The one credential to renew: the chosen row, the only active row, or the env pair
        when there is no database and an env file is to be updated. Never a guess."""
        doctor = self.doctor
        if not doctor.store.configured:
            if self.request.env_file:
                return doctor.env
            raise self.refusal(finding("renew.nothing_to_update"))
        if doctor.store.error is not None:
            error = doctor.store.error
            raise self.refusal(finding(error.finding_id, **error.params))
        rows = [c for c in doctor.credentials if c.from_database]
        found = ", ".join(c.key for c in doctor.available if c.from_database) or "—"
        if not rows:
            raise self.refusal(finding("renew.no_row", available=found))
        if len(rows) > 1:
            raise self.refusal(finding("renew.several_rows", available=found))
        return rows[0]

    # -- is the new token good? ----------------------------------------------------------
    def validate(self, target: Credential) -> None:
        """The suite's token checks on the new token, for the target's number.

        Failures refuse the renewal; warnings are shown; a temporary token passes only with
        ``--allow-temporary`` or a "yes" at the prompt.
        """
        if not self.new_token:
            raise self.refusal(finding("config.missing_token"))
        candidate = dataclasses.replace(
            target, token=self.new_token, token_source=self.text("renew_new_token")
        )
        refusals = []
        for check in VALIDATION:
            result = run_check(self.doctor, check, candidate)
            primary = result.primary
            if primary is None:
                continue
            blocking = result.outcome is Outcome.FAILED and not (
                primary.id == TEMPORARY and self.accept_temporary()
            )
            if blocking:
                refusals.append(primary)
            else:
                self.show(primary, blocking=False)
        if refusals:
            raise Refused(*refusals)

    def accept_temporary(self) -> bool:
        if self.request.allow_temporary:
            return True
        return bool(self.confirm and self.confirm(self.text("renew_confirm_temporary")))

    # -- writing ------------------------------------------------------------------------
    def write_row(self, target: Credential) -> None:
        """Write exactly the target row, guarded by its updated_at; re-read and compare."""
        doctor = self.doctor
        url = str(doctor.config.database_url)
        row = next(r for r in doctor.store.rows if str(r.id) == str(target.row_id))
        try:
            written_at = replace_token(
                url, doctor.spec, row.id, row.updated_at, self.new_token, doctor.redactor
            )
            stored = {r.id: r for r in read_active_credentials(url, doctor.spec, doctor.redactor)}
        except StoreError as error:
            raise self.refusal(finding(error.finding_id, **error.params), target) from None
        now = stored.get(row.id)
        if now is None or clean_token(now.access_token) != self.new_token:
            raise self.refusal(finding("renew.verify_failed", row_id=row.id), target)
        self.say(
            "renew_row_written",
            row=row.id,
            phone=now.phone_number_id or "—",
            preview=token_preview(now.access_token),
            before=row.updated_at,
            after=written_at,
        )

    def plan_env_file(self) -> EnvFileUpdate | None:
        """The env file's new text, checked before anything is written anywhere: a file that
        cannot be read or written refuses the renewal while the row is still untouched."""
        path = self.request.env_file
        if path is None:
            return None
        try:
            update = plan_env_update(path, ENV_NAME, self.new_token)
        except EnvFileError as error:
            raise self.refusal(finding(error.finding_id, **error.params)) from None
        self.say("renew_plan_env", path=path, name=ENV_NAME)
        return update

    def write_env_file(self, update: EnvFileUpdate, target: Credential) -> bool:
        """Write the planned file; if that fails after the row was written, say exactly what
        state things are in and the one command that finishes the job."""
        try:
            change = update.apply(backup=self.request.backup)
        except OSError as exc:
            key = "renew_env_failed_after_row" if target.from_database else "renew_env_failed"
            self.say(
                key,
                path=update.path,
                error=exc.strerror or type(exc).__name__,
                row=target.row_name,
                preview=token_preview(self.new_token),
                credential=target.label,
            )
            return False
        lines = ", ".join(map(str, change.lines)) or self.text("renew_appended")
        self.say("renew_env_written", path=update.path, name=ENV_NAME, lines=lines)
        if change.backup:
            self.say("renew_backup", path=change.backup)
        return True

    # -- telling ------------------------------------------------------------------------
    def text(self, key: str, **values: object) -> str:
        return self.doctor.catalog.label(key, self.doctor.lang).format(**values)

    def say(self, key: str, **values: object) -> None:
        self._say(self.doctor.redactor(self.text(key, **values)))

    def refusal(self, found: Finding, credential: Credential | None = None) -> Refused:
        context = self.doctor.context(credential)
        return Refused(self.doctor.catalog.render(found, self.doctor.lang, context))

    def show(self, remedy: Remedy, *, blocking: bool) -> None:
        """Title, Meta's words and the steps; the guide's SQL is what this command replaces."""
        mark = "✗" if blocking else "!"
        lines = [f"{mark} {remedy.title} [{remedy.id}]", f"  {remedy.message}"]
        lines += [f"  {n}. {step}" for n, step in enumerate(remedy.steps, 1)]
        self._say(self.doctor.redactor("\n".join(lines)))
