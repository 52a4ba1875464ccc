"""Retention: a settled case's personal data goes once the retention period has passed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from doudi.audit.models import AuditEntry
from doudi.cases.actions import (
    Reporter,
    Upload,
    case_add_info,
    case_resolve_on_spot,
    cases_anonymise_expired,
)
from doudi.cases.models import Case
from doudi.cases.tests.conftest import PHONE, png_bytes
from doudi.conftest import Personas
from doudi.feedback.models import Rating
from doudi.feedback.workflow import RatingState, Source
from doudi.notify.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_huey")]

ID_NUMBER = "11010519491231002X"
LATER = timedelta(days=1095 + 1)


@pytest.fixture
def settled(make_case, people: Personas) -> Case:  # type: ignore[no-untyped-def]
    case = make_case(
        reporter=Reporter(name="赵铁柱", phone=PHONE, id_number=ID_NUMBER),
        description=f"赵铁柱说：有事请打{PHONE}，或发邮件到 zhao@example.com。",
    )
    case_add_info(
        case_id=case.pk, text=f"身份证 {ID_NUMBER}", uploads=[Upload("id.png", png_bytes())]
    )
    Rating.objects.create(
        source=Source.REPORTER,
        centre=case.centre,
        case=case,
        level=1,
        comment=f"赵铁柱不满意，回电{PHONE}",
        callback_phone=PHONE,
        event_key="retention-test",
        state=RatingState.VALID,
    )
    return case_resolve_on_spot(actor=people.clerk_a, case_id=case.pk, result="已当场办结")


def test_a_settled_case_loses_its_personal_data_after_the_period(  # type: ignore[no-untyped-def]
    settled: Case, django_capture_on_commit_callbacks
) -> None:
    attachment = settled.attachments.get()
    assert Notification.objects.filter(case_id=settled.pk).exists()

    # The reporter's file is deleted once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert cases_anonymise_expired(now=timezone.now() + LATER) == 1

    case = Case.objects.get(pk=settled.pk)
    assert (case.reporter_name, case.reporter_phone, case.reporter_id_number) == ("", "", "")
    assert (case.reporter_name_masked, case.reporter_phone_masked) == ("", "")
    assert (case.phone_hash, case.id_hash) == ("", "")
    assert case.anonymised_at is not None
    assert case.description == "赵**说：有事请打139****5678，或发邮件到 z***@example.com。"
    assert case.events.get(kind="info_added").reason == "身份证 110***********002X"
    assert case.events.filter(kind="anonymised", public=False).count() == 1
    assert not case.attachments.exists()
    assert not attachment.file.storage.exists(attachment.file.name)
    assert not Notification.objects.filter(case_id=case.pk).exists()
    rating = Rating.objects.get(case=case)
    assert (rating.callback_phone, rating.comment) == ("", "赵**不满意，回电139****5678")
    entry = AuditEntry.objects.get(action="cases.anonymise")
    assert entry.detail == {"cases": 1, "retention_days": 1095}
    # Done once: a second run finds nothing.
    assert cases_anonymise_expired(now=timezone.now() + LATER) == 0


def test_nothing_goes_before_the_period_or_while_a_case_is_open(make_case, settled: Case) -> None:
    still_open = make_case()
    assert cases_anonymise_expired(now=timezone.now() + timedelta(days=1000)) == 0
    assert cases_anonymise_expired(now=timezone.now() + LATER) == 1
    assert Case.objects.get(pk=still_open.pk).reporter_phone == PHONE
    assert Case.objects.get(pk=settled.pk).reporter_phone == ""


@override_settings(DOUDI_RETENTION_DAYS=30)
def test_the_period_is_a_setting(settled: Case) -> None:
    assert cases_anonymise_expired(now=timezone.now() + timedelta(days=31)) == 1


@override_settings(DOUDI_RETENTION_DAYS=30)
def test_the_command_counts_then_anonymises(settled: Case, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(timezone.now() + timedelta(days=31))
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert out.getvalue().strip().endswith(": 1")
    assert Case.objects.get(pk=settled.pk).anonymised_at is None
    call_command("retention", stdout=out)
    assert Case.objects.get(pk=settled.pk).anonymised_at is not None
