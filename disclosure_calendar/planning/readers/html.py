"""A page saved from a government site (.html) with the standard library's parser.

Navigation, headers, footers, scripts and share buttons are left out (by element and by the
usual class and id names); block elements make paragraphs; tables become rows with
``rowspan`` and ``colspan`` expanded (the text repeated in every cell it covers, as Word
gives it). The page's charset is read from its meta tag, else UTF-8, else GB18030.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ...core.i18n import gettext as _
from ..clean import clean_text, is_site_noise
from ..document import Block, Document, Paragraph, Table
from .text import decode

SKIP = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "noscript",
    "iframe",
    "button",
    "select",
    "form",
}
CHROME = re.compile(
    r"nav|menu|header|footer|breadcrumb|crumb|share|toolbar|sidebar|copyright|banner|bottom|print",
    re.I,
)
CHROME_TAGS = {"div", "ul", "section", "span", "a", "p", "li", "dl"}
BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "tr",
    "title",
    "ul",
    "ol",
    "center",
}


class _Table:
    """A table being read: its rows of (text, rowspan, colspan), the open cell."""

    def __init__(self) -> None:
        self.rows: list[list[tuple[str, int, int]]] = []
        self.cell: list[str] | None = None
        self.span = (1, 1)
        # holds another table: a page's layout table, whose cells are read as paragraphs
        self.layout = False


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.text: list[str] = []
        self.skip: list[str] = []  # tags being skipped, innermost last
        self.stack: list[str] = []
        self.tables: list[_Table] = []
        self.count = 0

    @property
    def _cell(self) -> list[str] | None:
        return self.tables[-1].cell if self.tables else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "meta", "link", "input", "hr"):
            if tag == "br" and not self.skip:
                self._text("\n")
            return
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        if self.skip or tag in SKIP or (tag in CHROME_TAGS and CHROME.search(names)):
            self.skip.append(tag)
            return
        self.stack.append(tag)
        if tag == "table":
            if self.tables:
                self._layout(self.tables[-1])
            else:
                self._flush()
            self.tables.append(_Table())
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and self.tables:
            values = dict(attrs)
            self.tables[-1].cell = []
            self.tables[-1].span = (_int(values.get("rowspan")), _int(values.get("colspan")))
        elif tag in BLOCK:
            if self._cell is not None:
                self._cell.append("\n")  # paragraphs inside a cell: one line each
            elif not self.tables:
                self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag not in self.stack:
            return
        while self.stack and self.stack.pop() != tag:
            pass
        table = self.tables[-1] if self.tables else None
        if tag in ("td", "th") and table is not None and table.cell is not None:
            text = "".join(table.cell)
            table.cell = None
            if table.layout:
                self.text.append(text)
                self._flush()
            else:
                if not table.rows:
                    table.rows.append([])
                table.rows[-1].append((text, *table.span))
        elif tag == "table" and table is not None:
            self.tables.pop()
            if not table.layout:
                self._table(table.rows)
        elif tag in BLOCK and self._cell is None and not self.tables:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._text(data)

    def _text(self, data: str) -> None:
        cell = self._cell
        if cell is not None:
            cell.append(data)
        else:
            self.text.append(data)

    def _layout(self, table: _Table) -> None:
        """``table`` holds a table: what it read so far, and its cells from now on, are text."""
        if table.layout:
            if table.cell is not None:
                self.text.append("".join(table.cell))
                table.cell = []
                self._flush()
            return
        table.layout = True
        for row in table.rows:
            for text, _rows, _cols in row:
                self.text.append(text + "\n")
        table.rows = []
        if table.cell is not None:
            self.text.append("".join(table.cell))
            table.cell = []
        self._flush()

    def _flush(self) -> None:
        for line in "".join(self.text).split("\n"):
            text = clean_text(re.sub(r"\s+", " ", line))
            if text and not is_site_noise(text):
                self.count += 1
                self.blocks.append(Paragraph(text, _("paragraph {n}").format(n=self.count)))
        self.text = []

    def _table(self, rows: list[list[tuple[str, int, int]]]) -> None:
        grid: dict[tuple[int, int], str] = {}
        for r, row in enumerate(rows):
            c = 0
            for text, rowspan, colspan in row:
                while (r, c) in grid:
                    c += 1
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = text
                c += colspan
        if not grid:
            return
        height = max(r for r, _c in grid) + 1
        width = max(c for _r, c in grid) + 1
        table = tuple(
            tuple(
                clean_text(re.sub(r"[ \t\r\f\v]+", " ", grid.get((r, c), ""))) for c in range(width)
            )
            for r in range(height)
        )
        where = _("table {n}").format(n=sum(isinstance(b, Table) for b in self.blocks) + 1)
        self.blocks.append(Table(table, where))


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 500))
    except ValueError:
        return 1


def _charset(data: bytes) -> str | None:
    match = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def read_html(data: bytes, source: str) -> Document:
    charset = _charset(data)
    if charset in ("gbk", "gb2312", "gb18030"):
        text = data.decode("gb18030", errors="replace")
    else:
        text = decode(data, source)
    parser = _Parser()
    parser.feed(text)
    parser.close()
    parser._flush()
    return Document(source, tuple(parser.blocks))
