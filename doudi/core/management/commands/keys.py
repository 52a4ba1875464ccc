"""doudi keys new|add|rotate|status: the keys that encrypt personal data (README: Privacy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.core.errors import DomainError
from doudi.core.keys import add_key, fingerprint, new_key, rotate
from doudi.core.models import KeyRotation


class Command(BaseCommand):
    help = "加密密钥：new 生成，add 加到最前，rotate 用新密钥重新加密 / keys: new, add, rotate"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("new", help="生成一个新密钥 / print a new key")
        add = sub.add_parser("add", help="把密钥放在密钥文件最前 / put a key first in the key file")
        add.add_argument("key", nargs="?", help="不填则生成 / a new one when omitted")
        sub.add_parser(
            "rotate", help="用第一个密钥重新加密全部数据（可续跑）/ re-encrypt, resumable"
        )
        sub.add_parser("status", help="各表的进度 / progress per table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            raise CommandError(str(error)) from error

    def _new(self, options: dict[str, Any]) -> None:
        self.stdout.write(new_key())

    def _add(self, options: dict[str, Any]) -> None:
        keys = add_key(Path(settings.DATA_DIR), options["key"] or new_key())
        self.stdout.write(
            f"密钥文件现有 {len(keys)} 个密钥，第一个 {fingerprint(keys[0])}；请重启全部进程后运行 "
            "doudi keys rotate / restart every process, then run doudi keys rotate"
        )

    def _rotate(self, options: dict[str, Any]) -> None:
        target = fingerprint(settings.FIELD_ENCRYPTION_KEYS[0])
        self.stdout.write(f"目标密钥 / target key {target}")
        for done in rotate(progress=lambda label, rows: self.stderr.write(f"{label} {rows}…")):
            self.stdout.write(f"  {done.model}: {done.rows}")
        self.stdout.write("完成：旧密钥可以移除 / done: the old keys may be dropped")

    def _status(self, options: dict[str, Any]) -> None:
        for row in KeyRotation.objects.order_by("model"):
            state = "完成 done" if row.finished_at else f"进行中 at pk {row.last_pk}"
            self.stdout.write(f"{row.model}: {row.key} {row.rows} {state}")
