"""doudi audit verify: walk the audit log's hash chain; non-zero exit at the first bad entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.audit.actions import seal, verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，seal 立即封链 / audit log: verify the chain, seal it now"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验哈希链 / verify the hash chain")
        sub.add_parser("seal", help="把新记录接入链 / chain the new entries now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"已封链 / sealed: {seal(wait=True)}")
            return
        result = verify(progress=lambda n: self.stderr.write(f"{n}…"))
        if result.problem is not None:
            problem = result.problem
            raise CommandError(
                f"审计链校验失败 / the audit chain is broken: 记录 entry id={problem.entry_id}, "
                f"序号 seq={problem.seq}: {problem.reason}"
            )
        self.stdout.write(
            f"审计链完好 / the audit chain verifies: {result.checked} 条 entries; "
            f"末端 head seq={result.head_seq} hash={result.head_hash}"
        )
