from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.directory.models import Centre, Window
from doudi.directory.posters import PosterFontMissing, poster_pdf, poster_png
from doudi.directory.selectors import centre_windows_for_posters


class Command(BaseCommand):
    help = (
        "生成窗口二维码 A4 海报：一个中心全部启用窗口合为一个 PDF，或单个窗口的 PDF/PNG / "
        "Print the windows' A4 QR posters: every active window of a centre in one PDF, "
        "or one window as PDF or PNG."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--centre", metavar="CODE", help="中心编码 / a centre's code")
        which.add_argument("--window", metavar="CODE", help="窗口编码 / a window's code")
        parser.add_argument("--out", type=Path, required=True, help="输出文件 / the file to write")
        parser.add_argument(
            "--format",
            choices=["pdf", "png"],
            help="默认按 --out 的扩展名，否则 pdf / default: from --out's suffix, else pdf",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        file_format = options["format"] or ("png" if out.suffix.lower() == ".png" else "pdf")
        windows = self._windows(options["centre"], options["window"])
        if file_format == "png" and len(windows) > 1:
            raise CommandError(
                "PNG 每个文件只放一个窗口，请用 --window 或改用 PDF / "
                "a PNG holds one window: use --window, or PDF"
            )
        try:
            content = poster_pdf(windows) if file_format == "pdf" else poster_png(windows[0])
        except PosterFontMissing as exc:
            raise CommandError(str(exc)) from None
        try:
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入文件 / cannot write {out}: {exc.strerror}") from None
        pages = len(windows)
        self.stdout.write(
            self.style.SUCCESS(
                f"已写入 {pages} 页海报：{out} / wrote {pages} page{'s' * (pages != 1)} to {out}"
            )
        )

    def _windows(self, centre_code: str | None, window_code: str | None) -> list[Window]:
        if centre_code is not None:
            centre = Centre.objects.filter(code=centre_code).first()
            if centre is None:
                raise CommandError(
                    f"找不到编码为“{centre_code}”的中心 / no centre with code {centre_code}"
                )
            windows = list(centre_windows_for_posters([centre]))
            if not windows:
                raise CommandError(
                    f"中心“{centre.name}”没有启用的窗口 / centre {centre_code} has no active window"
                )
            return windows
        window = Window.objects.select_related("centre", "department").filter(code=window_code)
        found = window.first()
        if found is None:
            raise CommandError(
                f"找不到编码为“{window_code}”的窗口 / no window with code {window_code}"
            )
        if not found.is_active:
            raise CommandError(
                f"窗口“{window_code}”已停用，其二维码打不开 / window {window_code} is inactive"
            )
        return [found]
