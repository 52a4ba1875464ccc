"""Accountability findings: recorded by a supervisor on a case, appealed by the staff
member's department, decided; shown on the staff member's record."""

from __future__ import annotations

import pytest

from doudi.accountability.actions import finding_record
from doudi.accountability.models import Finding
from doudi.audit.models import AuditEntry
from doudi.cases.models import Case
from doudi.cases.workflow import DomainError
from doudi.conftest import Org, Personas


def record(client, case: Case, org: Org, **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "finding-kind": "conditions",
        "finding-staff": str(org.staff_a_x.pk),
        "finding-evidence": "要求提供服务指南以外的原单位证明，录像可证",
        **extra,
    }
    return client.post(f"/accountability/case/{case.pk}/record/", data)


def test_a_supervisor_records_a_finding_that_shows_on_the_staff_record(
    dispatched, org: Org, people: Personas, client_for
) -> None:
    case = dispatched()
    client = client_for(people.supervisor_a)
    response = record(client, case, org)
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.kind, finding.state, finding.staff, finding.window) == (
        "conditions",
        "recorded",
        org.staff_a_x,
        org.window_a_x,  # the staff member's window, when none is named
    )
    assert finding.counts
    event = case.events.get(kind="finding_recorded")
    assert not event.public
    assert AuditEntry.objects.filter(action="finding.record", object_id=str(finding.pk)).exists()
    html = client.get(f"/accountability/staff/{org.staff_a_x.pk}/").content.decode()
    assert 'data-testid="findings-counting">1<' in html
    assert "增设条件" in html
    assert case.number in html


def test_the_department_appeals_and_a_supervisor_decides(
    dispatched, org: Org, people: Personas, client_for
) -> None:
    case = dispatched()
    record(client_for(people.supervisor_a), case, org)
    finding = Finding.objects.get()
    handler = client_for(people.handler_x)  # department X: staff_a_x's department
    handler.post(f"/accountability/{finding.pk}/appeal/", {"appeal-reason": "已一次性告知"})
    finding.refresh_from_db()
    assert (finding.state, finding.appeal_reason) == ("appealed", "已一次性告知")
    assert not finding.counts
    supervisor = client_for(people.supervisor_a)
    supervisor.post(f"/accountability/{finding.pk}/uphold/", {"uphold-reason": "录像显示未告知"})
    finding.refresh_from_db()
    assert (finding.state, finding.decision) == ("upheld", "录像显示未告知")
    assert finding.counts
    assert list(finding.events.values_list("kind", flat=True)) == ["record", "appeal", "uphold"]


def test_a_dismissed_finding_does_not_count(
    dispatched, org: Org, people: Personas, client_for
) -> None:
    case = dispatched()
    client = client_for(people.supervisor_a)
    record(client, case, org)
    finding = Finding.objects.get()
    client.post(f"/accountability/{finding.pk}/dismiss/", {"dismiss-reason": ""})
    finding.refresh_from_db()
    assert finding.state == "recorded"  # a decision needs its reason
    client.post(f"/accountability/{finding.pk}/dismiss/", {"dismiss-reason": "反映人误解"})
    finding.refresh_from_db()
    assert finding.state == "dismissed"
    html = client.get(f"/accountability/staff/{org.staff_a_x.pk}/").content.decode()
    assert 'data-testid="findings-counting">0<' in html


def test_findings_are_scoped(dispatched, org: Org, people: Personas, client_for) -> None:
    case = dispatched()
    record(client_for(people.supervisor_a), case, org)
    finding = Finding.objects.get()
    # Department Y has nothing to do with staff_a_x; centre B nothing with centre A's case.
    handler_y = client_for(people.handler_y)
    assert handler_y.get(f"/accountability/{finding.pk}/").status_code == 404
    response = handler_y.post(f"/accountability/{finding.pk}/appeal/", {"appeal-reason": "x"})
    assert response.status_code == 404
    assert client_for(people.clerk_b).get(f"/accountability/{finding.pk}/").status_code == 404
    # A clerk sees the finding but neither records nor decides.
    clerk = client_for(people.clerk_a)
    assert clerk.get(f"/accountability/{finding.pk}/").status_code == 200
    assert record(clerk, case, org).status_code == 404
    clerk.post(f"/accountability/{finding.pk}/dismiss/", {"dismiss-reason": "x"})
    finding.refresh_from_db()
    assert finding.state == "recorded"
    assert Finding.objects.count() == 1


def test_a_finding_names_only_staff_and_windows_of_the_case_centre(
    dispatched, org: Org, people: Personas, client_for
) -> None:
    case = dispatched()
    with pytest.raises(DomainError, match="不在本案件所属中心"):
        finding_record(
            actor=people.supervisor_a,
            case_id=case.pk,
            kind="attitude",
            evidence="x",
            staff=org.staff_b_y,
        )
    response = record(client_for(people.supervisor_a), case, org, **{"finding-staff": ""})
    assert response.status_code == 302  # back to the case with the message
    assert not Finding.objects.exists()


def test_the_case_panel_offers_the_form_to_supervisors_only(
    dispatched, people: Personas, client_for
) -> None:
    case = dispatched()
    html = client_for(people.supervisor_a).get(f"/accountability/case/{case.pk}/").content.decode()
    assert 'data-testid="finding-form"' in html
    html = client_for(people.clerk_a).get(f"/accountability/case/{case.pk}/").content.decode()
    assert 'data-testid="finding-form"' not in html
