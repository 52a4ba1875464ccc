from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from doudi.core.actions import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "载入演示区县与演示账号（可重复执行，不覆盖已有数据）/ "
        "Load the demo district and users (idempotent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load()
        self.stdout.write(
            f"演示数据：新建 {result.created} 条 / demo data: {result.created} rows created"
        )
        self.stdout.write(
            f"演示账号（密码均为 {DEMO_PASSWORD}）/ demo logins (password {DEMO_PASSWORD}):"
        )
        for username, role, scope in result.users:
            self.stdout.write(f"  {username:<12} {role:<4} {scope}")
        self._routing()
        # The demo's deadlines are in the past and near future: flag them now, not at the
        # worker's first sweep, so that the first pages count the overdue ones.
        from doudi.deadlines.actions import sweep

        sweep()

    def _routing(self) -> None:
        """Routing suggestions learnt from the demo's settled cases, once, so that the triage
        workspace shows them at once rather than after the nightly training."""
        from doudi.triage.actions import routing_suggest, routing_train
        from doudi.triage.models import RoutingModel
        from doudi.triage.selectors import cases_without_suggestions

        if RoutingModel.objects.exists():
            return
        trained = routing_train(source="demo").trained
        for case_id in cases_without_suggestions():
            routing_suggest(case_id=case_id)
        names = ", ".join(f"{m.target} v{m.version}" for m in trained)
        self.stdout.write(f"分拣建议模型 / routing models: {names or '—'}")
