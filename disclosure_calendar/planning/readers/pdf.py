"""PDF with pdfplumber: ruled tables as rows, the rest as reflowed paragraphs.

Per page: the tables pdfplumber finds from the ruling lines (merged cells: empty after their
first), then the words outside them, grouped into lines. A page whose words leave a gutter
down the middle is read as two columns, the left one first. Lines are joined into
paragraphs where a line runs to the right margin and the next does not start a numbered
item or a heading. A table continued on the next page continues the same table (its heading
row repeated there is dropped by the table layout).
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from ...core.i18n import gettext as _
from ..clean import clean_text, is_site_noise
from ..document import Block, Document, Paragraph, Table
from ..layouts.headings import numbering

_ENDS = re.compile(r"[。；;：:！？）)|]$")


def read_pdf(data: bytes, source: str) -> Document:
    import pdfplumber

    pages: list[list[Block]] = []
    # pdfminer logs what it repairs in a damaged file ("Data-loss while decompressing
    # corrupted data") as English warnings that Python prints to the user's terminal when no
    # logging is set up; what cannot be read at all still raises, and is reported in Chinese.
    pdfminer = logging.getLogger("pdfminer")
    level = pdfminer.level
    pdfminer.setLevel(logging.ERROR + 1)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                pages.append(_page(page, _("page {n}").format(n=number)))
    finally:
        pdfminer.setLevel(level)
    running = _running_lines(pages)
    blocks: list[Block] = []
    for page_blocks in pages:
        first = True
        for block in page_blocks:
            if isinstance(block, Paragraph) and (
                block.text in running or is_site_noise(block.text)
            ):
                continue
            previous = blocks[-1] if blocks else None
            if isinstance(block, Table) and isinstance(previous, Table):
                blocks[-1] = Table(previous.rows + block.rows, previous.where)
            elif first and _continues(previous, block):
                assert isinstance(previous, Paragraph) and isinstance(block, Paragraph)
                blocks[-1] = Paragraph(previous.text + block.text, previous.where)
            else:
                blocks.append(block)
            first = False
    return Document(source, tuple(blocks))


def _continues(previous: Block | None, block: Block) -> bool:
    """The first paragraph of a page goes on with the last of the page before: that one
    stopped mid-sentence (a long paragraph without its full stop) and this one is no item."""
    return (
        isinstance(previous, Paragraph)
        and isinstance(block, Paragraph)
        and len(previous.text) >= 40
        and not _ENDS.search(previous.text)
        and numbering(block.text) is None
    )


def _page(page: Any, where: str) -> list[Block]:
    """One page's tables and paragraphs, in reading order."""
    found = page.find_tables()
    boxes = [t.bbox for t in found]
    words = [
        w
        for w in page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5)
        if not any(_inside(w, box) for box in boxes)
    ]
    pieces: list[tuple[float, Block]] = []
    for table in found:
        rows = tuple(tuple(clean_text(c or "") for c in row) for row in table.extract())
        rows = tuple(r for r in rows if any(r))
        if rows:
            pieces.append((table.bbox[1], Table(rows, where)))
    for top, text in _paragraphs(words, page.width):
        cleaned = clean_text(text)
        if cleaned and not is_site_noise(cleaned):
            pieces.append((top, Paragraph(cleaned, where)))
    if not _two_columns(words, page.width):  # two columns: already in column order
        pieces.sort(key=lambda p: p[0])
    return [block for _top, block in pieces]


def _running_lines(pages: list[list[Block]]) -> set[str]:
    """Running headers and footers: short lines on at least three pages and half of them
    (the issuer's letterhead, 内部资料 注意保存, a document number)."""
    if len(pages) < 3:
        return set()
    seen: dict[str, int] = {}
    for blocks in pages:
        for text in {b.text for b in blocks if isinstance(b, Paragraph) and len(b.text) <= 40}:
            seen[text] = seen.get(text, 0) + 1
    return {t for t, n in seen.items() if n >= 3 and n * 2 >= len(pages)}


def _inside(word: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    return (
        x0 - 1 <= word["x0"]
        and word["x1"] <= x1 + 1
        and top - 1 <= word["top"]
        and word["bottom"] <= bottom + 1
    )


def _two_columns(words: list[dict[str, Any]], width: float) -> bool:
    """A gutter: no word crosses the middle fifth, and both halves hold many words."""
    if len(words) < 20:
        return False
    middle = width / 2
    crossing = sum(1 for w in words if w["x0"] < middle - 2 and w["x1"] > middle + 2)
    left = sum(1 for w in words if w["x1"] <= middle)
    right = sum(1 for w in words if w["x0"] >= middle)
    return crossing <= len(words) * 0.02 and left > 10 and right > 10


def _lines(words: list[dict[str, Any]]) -> list[tuple[float, float, float, str]]:
    """Words to lines (top, x0, x1, text), top to bottom."""
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        text = ""
        for n, word in enumerate(line):
            gap = word["x0"] - line[n - 1]["x1"] if n else 0
            text += (" " if gap > 4 else "") + word["text"]
        out.append((line[0]["top"], line[0]["x0"], line[-1]["x1"], text))
    return out


def _paragraphs(words: list[dict[str, Any]], width: float) -> list[tuple[float, str]]:
    if _two_columns(words, width):
        middle = width / 2
        left = [w for w in words if w["x1"] <= middle + 2]
        right = [w for w in words if w["x1"] > middle + 2]
        return _reflow(_lines(left)) + _reflow(_lines(right))
    return _reflow(_lines(words))


def _reflow(lines: list[tuple[float, float, float, str]]) -> list[tuple[float, str]]:
    """Lines to paragraphs: a line that reaches the column's right edge goes on."""
    if not lines:
        return []
    right = max(x1 for _t, _x0, x1, _s in lines)
    left = min(x0 for _t, x0, _x1, _s in lines)
    size = max(1.0, (right - left) / 40)
    out: list[tuple[float, str]] = []
    current: list[str] = []
    top = lines[0][0]
    for n, (line_top, _x0, x1, text) in enumerate(lines):
        if not current:
            top = line_top
        current.append(text)
        full = x1 >= right - 2 * size
        nxt = lines[n + 1] if n + 1 < len(lines) else None
        goes_on = (
            nxt is not None
            and full
            and not _ENDS.search(text)
            and numbering(nxt[3]) is None
            and nxt[0] - line_top < 40
        )
        if not goes_on:
            out.append((top, "".join(current)))
            current = []
    return out
