"""doudi token create|revoke|list: API tokens (docs: /api/v1/docs).

doudi token create --integration NAME --centre CODE   # another system; the token is the last line
doudi token create --user USERNAME [--name NAME]      # a person's own token
doudi token revoke PREFIX
doudi token list
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.accounts.models import User
from doudi.api.actions import integration_token_create, token_create, token_revoke
from doudi.api.models import ApiToken
from doudi.cases.workflow import DomainError
from doudi.directory.models import Centre


class Command(BaseCommand):
    help = "接口令牌：创建、吊销、列出 / API tokens: create, revoke, list"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建令牌 / create a token")
        who = create.add_mutually_exclusive_group(required=True)
        who.add_argument("--integration", help="对接系统名称 / an integration's name")
        who.add_argument("--user", help="用户名 / a user's username")
        create.add_argument("--centre", help="对接系统所属中心编码 / the integration's centre")
        create.add_argument("--name", default="", help="令牌名称 / the token's name")
        revoke = sub.add_parser("revoke", help="吊销令牌 / revoke a token")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="列出令牌 / list tokens")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            raise CommandError(str(error)) from error

    def _create(self, options: dict[str, Any]) -> None:
        if options["integration"]:
            centre = Centre.objects.filter(code=options.get("centre") or "").first()
            if centre is None:
                raise CommandError("--centre CODE: 找不到该中心 / no such centre")
            new = integration_token_create(actor=None, name=options["integration"], centre=centre)
        else:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"找不到用户 / no such active user: {options['user']}")
            name = options["name"] or f"{user.username} 的令牌"
            new = token_create(actor=None, user=user, name=name)
        token = new.token
        self.stdout.write(
            f"{token.name}：前缀 {token.prefix}，账号 {token.user.username}，"
            f"权限 {', '.join(token.scopes)}。令牌只显示这一次 / shown once:"
        )
        self.stdout.write(new.secret)

    def _revoke(self, options: dict[str, Any]) -> None:
        token = token_revoke(actor=None, prefix=options["prefix"])
        self.stdout.write(f"已吊销 / revoked: {token.name} ({token.prefix})")

    def _list(self, options: dict[str, Any]) -> None:
        for token in ApiToken.objects.select_related("user"):
            state = "吊销" if token.revoked_at else "有效"
            used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "—"
            self.stdout.write(
                f"{token.prefix}  {state}  {token.user.username:<20} {token.name}  {used}"
            )
