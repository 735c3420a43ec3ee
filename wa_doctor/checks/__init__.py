"""The checks: plain functions ``check(doctor, *args) -> list[Finding]``, grouped by area.

An empty list means healthy. A check raises :class:`~wa_doctor.errors.Blocked` when another
finding is the root cause, and lets other :class:`~wa_doctor.errors.DoctorError` propagate:
the runner turns each into its finding.
"""
