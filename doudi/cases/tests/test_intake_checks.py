"""The intake form's checks without its presentation (``IntakeChecks``, for the API and
Open311): the same verdicts as the window's form, fields shared only where no instance
changes them."""

from __future__ import annotations

from typing import Any

import pytest

from doudi.cases.forms import IntakeChecks, IntakeForm
from doudi.cases.tests.conftest import intake_post
from doudi.conftest import Org
from doudi.directory.models import Centre, Window


def _both(org: Org, data: dict[str, Any], *, centre: Centre | None = None) -> list[Any]:
    centres = Centre.objects.filter(pk=(centre or org.centre_a).pk)
    windows = Window.objects.filter(centre=centre or org.centre_a)
    return [
        form_class(data, centres=centres, windows=windows)
        for form_class in (IntakeForm, IntakeChecks)
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
    assert not _both(org, intake_post(org, centre=org.centre_b.pk))[1].is_valid()
    for name in ("centre", "windows"):
        assert at_a.fields[name] is not at_b.fields[name]
    # The fields no instance changes are shared, not copied for each request.
    assert at_a.fields["title"] is at_b.fields["title"] is IntakeForm.base_fields["title"]
    # The window's form dresses its own copies: the shared widgets stay bare.
    page, _ = _both(org, intake_post(org))
    assert page.fields["title"].widget.attrs["class"] == "form-control"
    assert "class" not in IntakeForm.base_fields["title"].widget.attrs
