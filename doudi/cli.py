"""The ``doudi`` command: Django's management commands, with configuration errors in one line."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")
    from doudi.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        sys.stderr.write(f"配置错误 / configuration error: {exc}\n")
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    if args in ([], ["help"], ["-h"], ["--help"]):
        sys.stdout.write(overview())
        return
    if args == ["help", "--all"]:
        args = ["help"]
    execute_from_command_line(["doudi", *args])


# Doudi's own commands, in the order of an installation's life; ``doudi help --all`` lists
# Django's as well.
COMMANDS = (
    "setup", "demo", "run", "serve", "worker", "calendar", "import_directory", "posters",
    "triage", "search", "figures", "report", "import", "export", "token", "backup", "restore",
    "audit", "keys", "retention",
)  # fmt: skip


def overview() -> str:
    """Each command with its one-line help (every one is written "中文 / English")."""
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    lines = ["兜底 Doudi：命令 / commands", ""]
    for name in COMMANDS:
        command = load_command_class(commands[name], name)
        lines.append(f"  {name:<17} {command.help.strip().splitlines()[0]}")
    lines += [
        "",
        "doudi help 命令 / doudi help COMMAND：某个命令的说明 / one command's options",
        "doudi help --all：包括 Django 自带的命令 / Django's own commands too",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
