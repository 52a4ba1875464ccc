from __future__ import annotations

from typing import TYPE_CHECKING, Any

from doudi.audit.models import AuditEntry

if TYPE_CHECKING:
    from doudi.accounts.models import User


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
