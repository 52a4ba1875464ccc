"""The audit log: who did what to which record, including every view of unmasked personal
data. Rows are only ever added, and each is chained to the one before it (``actions.seal``):
its ``hash`` is a keyed hash (HMAC-SHA256 under the server's hash key) of its own content and
the previous entry's hash, so that an entry edited, deleted or moved, even by someone with
direct access to the database but not to the key, breaks the chain (``doudi audit verify``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # The place in the chain and the hashes, set when the entry is sealed (just after its
    # transaction commits); NULL until then.
    seq = models.BigIntegerField(_("序号"), null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            # The sealer's question: the entries not yet chained, oldest first.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's end: the last sealed entry's place and hash (one row). The sealer locks it,
    so that two sealers never chain at once; ``verify`` checks that the chain reaches it, so
    that entries cut from the end are found too."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("审计链末端")
        verbose_name_plural = _("审计链末端")

    def __str__(self) -> str:
        return f"{self.seq} {self.hash[:12]}"
