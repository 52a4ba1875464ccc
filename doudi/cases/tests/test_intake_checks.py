"""The intake form's checks without its presentation (``IntakeChecks``, for the API and
Open311): the same verdicts as the window's form, fields shared only where no instance
changes them."""

from __future__ import annotations

from typing import Any

import pytest

from doudi.cases.actions import case_register
from doudi.cases.forms import IntakeChecks, IntakeForm
from doudi.cases.models import Case
from doudi.cases.tests.conftest import intake_post
from doudi.conftest import Org, Personas
from doudi.core.errors import InvalidInput
from doudi.directory.models import Centre, Window


def _both(org: Org, data: dict[str, Any], *, centre: Centre | None = None) -> list[Any]:
    """The window's form and the checks for the same report: the checks are given the centre
    and windows the form reads from the data."""
    centre = centre or org.centre_a
    windows = Window.objects.filter(centre=centre)
    chosen = list(Window.objects.filter(pk__in=data.get("windows", [])))
    return [
        IntakeForm(data, centres=Centre.objects.filter(pk=centre.pk), windows=windows),
        IntakeChecks(data, centre=centre, windows=chosen),
    ]


@pytest.mark.parametrize(
    ("overrides", "valid"),
    [
        ({}, True),
        ({"reporter_id_number": "110101199003071234"}, False),  # a wrong check digit
        ({"reporter_phone": "12"}, False),
        ({"reporter_kind": "company", "company_credit_code": "91110000XXXXXXXXX1"}, False),
        ({"service_item": "NO-SUCH-ITEM", "visits": 0, "title": ""}, False),
        ({"is_anonymous": "on", "reporter_name": "", "reporter_phone": ""}, True),
    ],
)
def test_the_checks_judge_as_the_window_s_form(
    org: Org, overrides: dict[str, Any], valid: bool
) -> None:
    data = intake_post(org, **overrides)
    data["windows"] = [org.window_a_x.pk]
    form, checks = _both(org, data)
    assert form.is_valid() is valid
    assert checks.is_valid() is valid
    assert checks.errors == form.errors
    if valid:
        assert checks.intake(channel="api") == form.intake(channel="api")


def test_each_check_has_its_own_centre_and_windows_and_shows_nothing(org: Org) -> None:
    _, at_a = _both(org, intake_post(org))
    _, at_b = _both(org, intake_post(org, centre=org.centre_b.pk), centre=org.centre_b)
    assert at_a.is_valid()
    assert at_a.cleaned_data["centre"] == org.centre_a
    assert at_b.is_valid()
    assert at_b.cleaned_data["centre"] == org.centre_b
    # Every field is shared, not copied for each request: none is changed by an instance.
    assert at_a.fields["title"] is at_b.fields["title"] is IntakeForm.base_fields["title"]
    assert not {"centre", "windows", "staff"} & set(at_a.fields)


def test_the_form_and_the_action_refuse_a_window_of_another_centre(
    org: Org, people: Personas
) -> None:
    data = intake_post(org, centre=org.centre_b.pk)
    data["windows"] = [org.window_a_x.pk]
    # A page whose list holds several centres' windows (a district clerk's).
    centres = Centre.objects.filter(pk=org.centre_b.pk)
    page = IntakeForm(data, centres=centres, windows=Window.objects.all())
    _, checks = _both(org, data, centre=org.centre_b)
    assert not page.is_valid()
    assert page.errors["windows"] == ["所选窗口不属于所选受理中心，请重新选择。"]
    # The checks take the caller's windows as given; registering them is refused.
    assert checks.is_valid()
    with pytest.raises(InvalidInput, match="所选窗口不属于所选受理中心"):
        case_register(actor=people.clerk_b, intake=checks.intake(channel="api"))
    assert not Case.objects.filter(centre=org.centre_b, title=data["title"]).exists()


def test_a_page_form_shows_its_own_dressed_fields(org: Org) -> None:
    # The window's form dresses its own copies: the shared widgets stay bare.
    page, _ = _both(org, intake_post(org))
    assert page.fields["title"].widget.attrs["class"] == "form-control"
    assert "class" not in IntakeForm.base_fields["title"].widget.attrs
