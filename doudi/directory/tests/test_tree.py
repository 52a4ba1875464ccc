from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from doudi.conftest import Org
from doudi.directory.models import Department, Window


def test_paths_follow_the_tree(org: Org) -> None:
    assert org.centre_a.path == f"/{org.centre_a.pk}/"
    assert org.centre_a1.path == f"/{org.centre_a.pk}/{org.centre_a1.pk}/"
    assert org.centre_a1.depth == 1


def test_moving_a_node_moves_its_subtree(org: Org) -> None:
    grandchild = Department.objects.create(code="X-1-a", name="科室", parent=org.dept_x1)
    org.dept_x1.parent = org.dept_y
    org.dept_x1.save()
    grandchild.refresh_from_db()
    assert grandchild.path == f"/{org.dept_y.pk}/{org.dept_x1.pk}/{grandchild.pk}/"
    assert grandchild.depth == 2


def test_a_node_cannot_become_its_own_descendant(org: Org) -> None:
    org.dept_x.parent = org.dept_x1
    with pytest.raises(ValidationError):
        org.dept_x.full_clean()


def test_a_window_code_is_fixed_at_creation(org: Org) -> None:
    assert org.window_a_x.code == "A-01"
    org.window_a_x.number = "09"
    org.window_a_x.save()
    assert Window.objects.get(pk=org.window_a_x.pk).code == "A-01"


def test_a_staff_phone_must_be_a_mainland_number(org: Org) -> None:
    org.staff_a_x.phone = "12345"
    with pytest.raises(ValidationError) as info:
        org.staff_a_x.full_clean()
    assert "不是有效的电话号码" in str(info.value)
