"""Signals other apps listen to without the cases app knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction when a case is withdrawn or merged: open work orders end.
# Arguments: case, actor.
case_left_workflow = Signal()
