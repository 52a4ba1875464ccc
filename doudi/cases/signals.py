"""Signals other apps listen to without the cases app knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction when a case leaves the workflow (withdrawn, merged, a voided
# rectification): its open work orders end.
# Arguments: case, actor.
case_left_workflow = Signal()

# Sent inside the transaction after every move of a case. Arguments: case, move (its name),
# actor. The return visit opens when a case is answered (doudi.feedback).
case_moved = Signal()

# Sent inside the transaction after cases were anonymised at the end of their retention
# period, so that other apps remove what they hold of the reporters (doudi.feedback: callback
# phones and comments). Arguments: case_ids.
cases_anonymised = Signal()

# Sent inside the transaction after a batch of cases was imported (``cases_register_imported``
# sends no per-case signal: the bulk insert saves no model). Arguments: cases. The policy app
# checks the open ones for recurrences of closed issues.
cases_imported = Signal()
