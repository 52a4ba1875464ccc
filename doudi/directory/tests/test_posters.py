"""The windows' A4 QR posters: what the code encodes, how they are drawn, and who may print."""

from __future__ import annotations

import base64
import io
import re
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import segno
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import resolve
from PIL import Image
from reportlab.lib.units import mm

from doudi.conftest import Org, Personas
from doudi.directory import posters
from doudi.directory.models import Window

PUBLIC_URL = "https://doudi.example.gov.cn/"
Cell = tuple[int, int]


@pytest.fixture(autouse=True)
def public_url(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DOUDI_PUBLIC_URL = PUBLIC_URL


def expected_cells(url: str) -> set[Cell]:
    """The dark modules of the QR symbol for ``url``, straight from segno (poster settings)."""
    matrix = segno.make_qr(url, error="m").matrix
    return {(r, c) for r, row in enumerate(matrix) for c, dark in enumerate(row) if dark}


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page(?![s\w])", pdf))


def pdf_qr_pages(pdf: bytes) -> list[tuple[set[Cell], float]]:
    """Per page, the dark modules of the rectangles drawn and the symbol's side in mm."""
    pages = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        ops = zlib.decompress(base64.a85decode(raw.strip(), adobe=True)).decode("latin-1")
        number = r"(-?[\d.]+)"
        rects = [
            tuple(map(float, m))
            for m in re.findall(rf"{number} {number} {number} {number} re", ops)
        ]
        module = min(h for _, _, _, h in rects)
        left, top = min(x for x, *_ in rects), max(y + h for _, y, _, h in rects)
        cells = {
            (round((top - y - h) / module), round((x - left) / module) + i)
            for x, y, w, h in rects
            for i in range(round(w / module))
        }
        side = (max(x + w for x, _, w, _ in rects) - left) / mm
        pages.append((cells, side))
    return pages


def test_the_code_opens_the_windows_public_page(org: Org, client) -> None:  # type: ignore[no-untyped-def]
    url = posters.qr_url(org.window_a_x)
    assert url == "https://doudi.example.gov.cn/r/A-01"
    path = urlsplit(url).path
    assert resolve(path).view_name == "public:window"
    assert client.get(path).status_code == 200


def test_the_pdf_has_one_page_per_window_each_with_its_own_code(org: Org) -> None:
    windows = [org.window_a_x, org.window_a_y]
    pdf = posters.poster_pdf(windows)
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 2
    drawn = pdf_qr_pages(pdf)
    for window, (cells, side_mm) in zip(windows, drawn, strict=True):
        assert cells == expected_cells(f"https://doudi.example.gov.cn/r/{window.code}")
        assert side_mm >= 90  # scannable from a metre away


def test_the_png_is_an_a4_page_whose_code_is_the_windows_url(org: Org) -> None:
    image = Image.open(io.BytesIO(posters.poster_png(org.window_a_x)))
    assert image.format == "PNG"
    assert image.width / image.height == pytest.approx(210 / 297, rel=0.005)
    assert image.info["dpi"][0] == pytest.approx(150, abs=0.1)

    # Find the symbol in its band by its dark pixels, then read each module at its centre.
    px_per_mm = 150 / 25.4
    gray = image.convert("L")
    band_top = round((posters.QR_TOP_MM - 6) * px_per_mm)
    band_bottom = round((posters.QR_TOP_MM + posters.QR_SIDE_MM + 6) * px_per_mm)
    band = gray.crop((0, band_top, image.width, band_bottom))
    left, top, right, bottom = band.point(lambda p: 255 if p < 128 else 0).getbbox()  # type: ignore[misc]
    expected = expected_cells("https://doudi.example.gov.cn/r/A-01")
    size = max(c for _, c in expected) + 1
    assert right - left == bottom - top
    module = (right - left) / size
    cells = {
        (r, c)
        for r in range(size)
        for c in range(size)
        if band.getpixel((int(left + (c + 0.5) * module), int(top + (r + 0.5) * module))) < 128  # type: ignore[operator]
    }
    assert cells == expected
    assert (right - left) / px_per_mm >= 90

    # The quiet zone, four modules wide, is blank.
    quiet = round(4 * module)
    around = gray.crop(
        (left - quiet, band_top + top - quiet, right + quiet, band_top + bottom + quiet)
    )
    assert around.point(lambda p: 255 if p < 128 else 0).getbbox() == (
        quiet,
        quiet,
        quiet + right - left,
        quiet + bottom - top,
    )


def test_a_long_line_shrinks_to_half_then_is_cut_with_an_ellipsis() -> None:
    def one_mm_per_point(text: str, size: float) -> float:
        return len(text) * size

    assert posters.fit_line("窗" * 10, 18, one_mm_per_point) == ("窗" * 10, 18)
    assert posters.fit_line("窗" * 19, 10, one_mm_per_point) == ("窗" * 19, 9)
    text, size = posters.fit_line("窗" * 100, 10, one_mm_per_point)
    assert size == 5
    assert text == "窗" * 35 + "…"


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(posters, "CJK_FONT_FILES", [("/nonexistent/**/*.ttc", "")])
    posters._cjk_font_files.cache_clear()
    yield
    posters._cjk_font_files.cache_clear()


@pytest.mark.usefixtures("no_cjk_font")
def test_without_a_cjk_font_the_png_is_refused_rather_than_drawn_in_boxes(org: Org) -> None:
    with pytest.raises(posters.PosterFontMissing, match="apt-get install fonts-noto-cjk"):
        posters.poster_png(org.window_a_x)
    assert posters.poster_pdf([org.window_a_x]).startswith(b"%PDF")  # needs no font file


def test_the_command_prints_every_active_window_of_a_centre(org: Org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    Window.objects.create(
        centre=org.centre_a, number="03", name="已停用", department=org.dept_x, is_active=False
    )
    out, stdout = tmp_path / "a.pdf", io.StringIO()
    call_command("posters", "--centre", "A", "--out", str(out), stdout=stdout)
    # Centre A's windows 01 and 02; not the inactive one, nor sub-centre A-1's.
    pdf = out.read_bytes()
    assert page_count(pdf) == 2
    assert [cells for cells, _ in pdf_qr_pages(pdf)] == [
        expected_cells("https://doudi.example.gov.cn/r/A-01"),
        expected_cells("https://doudi.example.gov.cn/r/A-02"),
    ]
    assert "已写入 2 页" in stdout.getvalue()


def test_the_command_writes_one_window_as_png(org: Org, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "w.png"
    call_command("posters", "--window", "B-01", "--out", str(out), stdout=io.StringIO())
    assert Image.open(out).format == "PNG"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--centre", "NOPE"], "找不到编码为“NOPE”的中心"),
        (["--window", "NOPE"], "找不到编码为“NOPE”的窗口"),
        (["--centre", "A", "--format", "png"], "PNG 每个文件只放一个窗口"),
    ],
)
def test_the_command_refuses_with_a_clear_message(
    org: Org,
    tmp_path,  # type: ignore[no-untyped-def]
    args: list[str],
    message: str,
) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("posters", *args, "--out", str(out))
    assert not out.exists()


def test_the_window_admin_action_downloads_one_pdf(client_for, people: Personas, org: Org) -> None:  # type: ignore[no-untyped-def]
    response = client_for(people.admin).post(
        "/admin/directory/window/",
        {"action": "print_posters", "_selected_action": [org.window_a_x.pk, org.window_b_y.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert page_count(b"".join(response.streaming_content)) == 2


def test_the_centre_admin_action_prints_all_its_windows(
    client_for, people: Personas, org: Org
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(people.admin).post(
        "/admin/directory/centre/",
        {"action": "print_posters", "_selected_action": [org.centre_a.pk]},
    )
    assert response["Content-Type"] == "application/pdf"
    assert page_count(b"".join(response.streaming_content)) == 2


def test_the_window_list_links_each_posters_pdf_and_png(
    client_for, people: Personas, org: Org
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(people.admin)
    base = f"/admin/directory/window/{org.window_a_x.pk}/poster"
    assert f'href="{base}.png"' in client.get("/admin/directory/window/").content.decode()
    png = client.get(f"{base}.png")
    assert png["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(png.streaming_content))).format == "PNG"
    pdf = client.get(f"{base}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get(f"{base}.svg").status_code == 404


@pytest.mark.parametrize("persona", ["clerk_a", "handler_x", "leader_a"])
def test_posters_in_the_admin_are_for_admins_only(
    client_for,  # type: ignore[no-untyped-def]
    people: Personas,
    org: Org,
    persona: str,
) -> None:
    client = client_for(getattr(people, persona))
    poster = client.get(f"/admin/directory/window/{org.window_a_x.pk}/poster.png")
    assert poster.status_code == 302
    assert poster["Location"].startswith("/admin/login/")
    action = client.post(
        "/admin/directory/centre/",
        {"action": "print_posters", "_selected_action": [org.centre_a.pk]},
    )
    assert action.status_code == 302
    assert "Content-Disposition" not in action
