"""Who oversees the SOP: the roles that may read every disposition and every circulation with its read receipts —
the Sekretaris (who decides at step 8 and answers for the office's reporting) and the Kepala Dinas (the head of the
office, who signs the LKIP; the role exists once the workflow file names it) and the Inspektorat (the city's
internal auditor evaluating the office's performance accountability: it reads everything, decides nothing). Not
the operator: an official's work is not the system's, and the operator's event log already shows what a failure
needs. One rule for dispositions
(`disposisi.may_read`) and circulations (`sosialisasi.may_see`)."""

from __future__ import annotations

from services.approval.models import Official

OVERSIGHT_ROLES = ("sekretaris", "kepala_dinas", "inspektorat")


def oversees(who: Official) -> bool:
    return who.id is not None and who.role in OVERSIGHT_ROLES
