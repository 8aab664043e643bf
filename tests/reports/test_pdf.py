"""The notice as PDF: the fonts embedded (pdffonts), the same words as the .docx (pdftotext),
page numbers in the outer corners, the 版记 on the last page."""

from __future__ import annotations

import re
import subprocess

import pytest
from notice_sample import ISSUER, PLAN_TITLE, SETTINGS, figures

from disclosure_calendar.reports.content import notice_blocks
from disclosure_calendar.reports.pdf_file import notice_pdf


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "notice.pdf"
    blocks = notice_blocks(figures(), SETTINGS, plan_title=PLAN_TITLE, issuer=ISSUER)
    path.write_bytes(notice_pdf(blocks, title="通报", author=ISSUER, date=figures().as_of))
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_every_font_is_embedded_and_ours(pdf):
    rows = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert rows
    names = sorted(row.split()[0].split("+", 1)[1] for row in rows)
    assert names == [
        "NotoSansCJKsc-Regular-Identity-H",
        "NotoSerifCJKsc-Bold-Identity-H",
        "NotoSerifCJKsc-Regular-Identity-H",
    ]
    assert all(row.split()[-5] == "yes" for row in rows)  # emb


def test_a4_pages_with_the_words_of_the_notice(pdf):
    info = _run("pdfinfo", str(pdf))
    assert "595.276 x 841.89 pts (A4)" in info
    text = _run("pdftotext", "-layout", str(pdf), "-")
    flat = "".join(text.split())
    assert "关于2026年第三季度政务公开工作落实情况的通报" in flat
    assert "按时完成率73.9%" in flat
    assert "2026-09-30" in flat and "（暂定）" in flat
    assert "抄送：市委办公室，市人大常委会办公室。" in flat
    assert f"{ISSUER}2026年10月12日印发" in flat


def test_page_numbers_alternate_corners(pdf):
    """— N — in the outer corner: right on odd pages, left on even ones, below the text."""
    xml = _run("pdftotext", "-bbox", str(pdf), "-")
    found = []
    for number, page in enumerate(xml.split("<page ")[1:], 1):
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>(.*?)</word>', page
        )
        last = [w for w in words if w[1] == words[-1][1]]  # the bottom line: —, N, —
        assert [w[3] for w in last] == ["—", str(number), "—"]
        found.append((number, float(last[0][0]), float(last[-1][2]), float(last[0][1])))
    assert len(found) >= 2
    for number, x0, x1, y0 in found:
        assert y0 > 841.89 - 35 * 72 / 25.4  # below the text area
        if number % 2:
            assert 595.28 - 26 * 72 / 25.4 - 20 < x1 < 595.28 - 26 * 72 / 25.4
        else:
            assert 28 * 72 / 25.4 < x0 < 28 * 72 / 25.4 + 20


def test_body_is_set_in_the_grid(pdf):
    """Body lines 28.95 pt apart (22 lines a page), as the .docx's exact spacing."""
    html = _run("pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-")
    tops = sorted(
        {round(float(m[2]), 2) for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"', html)}
    )
    gaps = [round(b - a, 2) for a, b in zip(tops, tops[1:], strict=False)]
    assert sum(1 for g in gaps if abs(g - 28.95) < 0.1) >= 5
