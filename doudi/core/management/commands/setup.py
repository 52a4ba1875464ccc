from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "准备数据库、静态文件与翻译 / Migrate, collect static files, compile translations."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=options["verbosity"])
        call_command("collectstatic", interactive=False, verbosity=0)
        # Compile our own catalogues only: from the package directory, not the whole checkout.
        with contextlib.chdir(settings.BASE_DIR):
            call_command("compilemessages", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS("数据库与静态文件已就绪 / database and static files ready")
        )
