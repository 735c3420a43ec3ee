"""The checks: plain functions ``check(doctor[, credential]) -> list[Finding]``, grouped by area,
each declared with :func:`wa_doctor.registry.check` (what it may raise, what it reads); what they
build on is in :mod:`.prerequisites`.

An empty list means healthy. A check raises :class:`~wa_doctor.errors.Blocked` when another
finding is the root cause, and lets other :class:`~wa_doctor.errors.DoctorError` propagate:
the runner turns each into its finding.
"""
