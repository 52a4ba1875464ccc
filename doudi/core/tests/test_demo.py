from __future__ import annotations

from collections import Counter

from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.core.actions import DemoResult, demo_load
from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window


def test_the_demo_district_is_realistic(demo: DemoResult, db: None) -> None:
    district = Centre.objects.get(parent=None)
    assert Window.objects.filter(centre=district).count() == 25
    assert Centre.objects.filter(level=Centre.Level.STREET).count() == 3
    assert Department.objects.filter(parent=None).count() >= 16
    assert ServiceItem.objects.count() >= 150
    assert Staff.objects.count() >= 50
    roles = Counter(User.objects.values_list("role", flat=True))
    assert set(roles) == set(Role.values)
    handlers = User.objects.filter(role=Role.HANDLER)
    assert handlers.values("scope_department").distinct().count() >= 2


def test_loading_twice_keeps_all_data(demo: DemoResult, db: None) -> None:
    first = demo
    clerk = User.objects.get(username="clerk")
    clerk.set_password("changed-by-the-user-1")
    clerk.save(update_fields=["password"])
    item = ServiceItem.objects.order_by("code").first()
    assert item is not None
    item.name = "改过的名称"
    item.save(update_fields=["name"])
    counts = (Window.objects.count(), Staff.objects.count(), User.objects.count())

    second = demo_load()

    assert first.created > 0
    assert second.created == 0
    assert (Window.objects.count(), Staff.objects.count(), User.objects.count()) == counts
    assert User.objects.get(username="clerk").check_password("changed-by-the-user-1")
    assert ServiceItem.objects.get(pk=item.pk).name == "改过的名称"
