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
