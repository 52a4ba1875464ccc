"""The one ``doudi`` entry point: its overview lists Doudi's commands in both languages."""

from __future__ import annotations

import re

import pytest

from doudi.cli import COMMANDS, main, overview


def test_the_overview_lists_every_command_with_bilingual_help() -> None:
    text = overview()
    for name in COMMANDS:
        line = next(line for line in text.splitlines() if line.strip().startswith(name + " "))
        chinese, english = line.split("/", 1)  # 中文 / English
        assert re.search(r"[\u4e00-\u9fff]", chinese)
        assert re.search(r"[A-Za-z]{4}", english)


def test_doudi_without_arguments_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    main([])
    assert "backup" in capsys.readouterr().out
