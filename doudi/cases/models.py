"""A case (one report of a matter that could not be done), its events and its files.

Personal data (the reporter's name, phone, ID number, e-mail) is encrypted at rest; "the same
phone / ID" is found through keyed hashes. The state changes only in actions.py, which writes
a CaseEvent in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.cases.workflow import OPEN_STATES, State
from doudi.core.crypto import EncryptedTextField
from doudi.directory.models import Centre, ServiceItem, Staff, Window
from doudi.lib.masking import mask_name, mask_phone


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口")
    HOTLINE = "hotline", _("热线")
    ONLINE = "online", _("网上")
    QR = "qr", _("窗口二维码")
    TRANSFER_12345 = "12345", _("12345转办")
    BAD_REVIEW = "bad_review", _("差评")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")


class ReporterKind(models.TextChoices):
    PERSON = "person", _("个人")
    COMPANY = "company", _("企业")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    VERY_URGENT = "very_urgent", _("特急")


class Case(models.Model):
    number = models.CharField(_("案件编号"), max_length=48, unique=True)
    # No index of its own: centre, state and registered_at each lead a composite index below
    # (an index serves its first column alone as well), and every insert pays for each index.
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("中心"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices)

    reporter_kind = models.CharField(
        _("反映人类型"), max_length=8, choices=ReporterKind.choices, default=ReporterKind.PERSON
    )
    is_anonymous = models.BooleanField(_("匿名"), default=False)
    is_confidential = models.BooleanField(_("保密"), default=False)
    reporter_name = EncryptedTextField(_("姓名"), blank=True, default="")
    reporter_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    reporter_id_number = EncryptedTextField(_("身份证号码"), blank=True, default="")
    reporter_email = EncryptedTextField(_("电子邮箱"), blank=True, default="")
    # The masked name and phone ("赵**", "138****1234"), as every reader without the right to
    # the full values sees them: written with the encrypted values, so that lists and exports
    # show them without decrypting (doudi.lib.masking; ``masked_reporter``).
    reporter_name_masked = models.CharField(max_length=60, blank=True, default="", editable=False)
    reporter_phone_masked = models.CharField(max_length=30, blank=True, default="", editable=False)
    # A company's name and credit code are public register data, not personal data.
    company_name = models.CharField(_("企业名称"), max_length=100, blank=True)
    company_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    service_item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("所办事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    matter_text = models.CharField(_("所办事项（未列入清单）"), max_length=200, blank=True)
    windows = models.ManyToManyField(
        Window, verbose_name=_("涉及窗口"), blank=True, related_name="cases"
    )
    staff = models.ManyToManyField(
        Staff, verbose_name=_("涉及工作人员"), blank=True, related_name="cases"
    )
    visits = models.PositiveSmallIntegerField(_("已跑动次数"), default=1)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("经过"), max_length=5000)
    request = models.TextField(_("诉求"), max_length=2000, blank=True)
    urgency = models.CharField(
        _("紧急程度"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # The registration's local day, ISO weekday (1 = Monday) and hour, kept with it
    # (``registration_fields``) so that the leaders' trend and weekday x hour map group on plain
    # columns instead of converting every row's time zone.
    registered_day = models.DateField(null=True, editable=False)
    registered_weekday = models.PositiveSmallIntegerField(null=True, editable=False)
    registered_hour = models.PositiveSmallIntegerField(null=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_cases",
    )
    query_code = EncryptedTextField(_("查询码"))
    # The intake form's one-time key: a form sent twice makes one case.
    submission_key = models.CharField(  # noqa: DJ001 - NULL for "no key": unique only when given
        max_length=64, unique=True, null=True, editable=False
    )
    # Where an imported case came from ("12345:GD2026112700123"): an import skips the rows
    # whose source and id it already holds, so that a file loaded twice adds nothing.
    source_ref = models.CharField(
        _("来源编号"), max_length=100, unique=True, null=True, blank=True, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    outcome = models.TextField(_("处理结果"), blank=True)
    # When the task force accepted the answer, and how many working days it took from the
    # registration (or the last reopening): kept by the action for the leaders' figures.
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answer_working_days = models.PositiveSmallIntegerField(
        _("答复用时（工作日）"), null=True, blank=True
    )
    # Reopened after an unsolved or unsatisfied return visit: deadlines count from then.
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    reopened_at = models.DateTimeField(_("重新办理时间"), null=True, blank=True)
    # When the reporter's personal data was removed, the retention period after the case was
    # settled having passed (``cases_anonymise_expired``).
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["centre", "registered_at"], name="case_centre_registered"),
            models.Index(fields=["centre", "state"], name="case_centre_state"),
            models.Index(fields=["centre", "answered_at"], name="case_centre_answered"),
            # The case list filtered by state or channel, newest first: read in order from
            # the filter's value, stopping at the page (a rare state reads its few cases).
            models.Index(fields=["state", "registered_at"], name="case_state_registered"),
            models.Index(fields=["channel", "registered_at"], name="case_channel_registered"),
            models.Index(fields=["centre", "registered_day"], name="case_centre_day"),
            # Covers the dashboard's counts of a period's cases by item (and its department),
            # channel and hour: read from the index alone, not from the wide case rows.
            models.Index(
                fields=[
                    "registered_at",
                    "centre",
                    "service_item",
                    "channel",
                    "registered_weekday",
                    "registered_hour",
                ],
                name="case_registered_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_state_display(self) -> str:  # type: ignore[no-redef]
        """The state's label. Django's own builds a dict of every choice on each call,
        translating every label to hash it: half a millisecond a row in a list of cases."""
        try:
            return str(State(self.state).label)
        except ValueError:  # not one of the choices: shown as stored, as Django's does
            return self.state

    @property
    def matter(self) -> str:
        return self.service_item.name if self.service_item else self.matter_text

    @property
    def counted_from(self) -> datetime:
        """When the current round's deadlines count from: registration, or the last reopening."""
        return self.reopened_at or self.registered_at

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


# The case's encrypted columns: a list that shows personal data masked defers them.
ENCRYPTED_FIELDS = tuple(
    f.name for f in Case._meta.concrete_fields if isinstance(f, EncryptedTextField)
)


def registration_fields(moment: datetime) -> dict[str, object]:
    """``registered_at`` and the local day, weekday and hour that go with it."""
    local = timezone.localtime(moment)
    return {
        "registered_at": moment,
        "registered_day": local.date(),
        "registered_weekday": local.isoweekday(),
        "registered_hour": local.hour,
    }


class CaseEvent(models.Model):
    """One thing that happened to a case: a move between states, or information added."""

    # Indexed by case_event_case_at (case first), not alone.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("事件"), max_length=32)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_events",
    )
    by_reporter = models.BooleanField(default=False)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # Shown on the reporter's tracking page (no staff names, no internal notes either way).
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class CaseNumberCounter(models.Model):
    """The last sequence number given out per centre and day (SFQ-20261126-0007)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "day"], name="case_counter_centre_day")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day} {self.last}"


def private_storage() -> FileSystemStorage:
    """Attachments live in the data directory, outside any served path; a view that checks
    access streams them."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "attachments")


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    by_reporter = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


def masked_reporter(name: str, phone: str) -> dict[str, str]:
    """The masked copies a case stores with its reporter's name and phone."""
    return {"reporter_name_masked": mask_name(name), "reporter_phone_masked": mask_phone(phone)}
