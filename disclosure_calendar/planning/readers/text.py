"""Plain text: UTF-8 or GB18030 (GBK, GB2312), as saved from a page or copied out of one.

A line ending in ``|`` is a table cell the copy put on its own line (``市财政局 |``); ``|``
and ``||`` alone are empty cells. Lines of site furniture (navigation, print buttons, page
numbers, the footer) are dropped.
"""

from __future__ import annotations

from ...core.errors import DisclosureError
from ...core.i18n import gettext as _
from ..clean import clean_text, is_site_noise
from ..document import Document, Paragraph

ENCODINGS = ("utf-8", "gb18030")


def decode(data: bytes, source: str) -> str:
    """The text of ``data``: UTF-8 (with or without a BOM), else GB18030 (a superset of GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
    raise DisclosureError(
        _(
            "{source}: the text is neither UTF-8 nor GBK/GB18030; save it as UTF-8 and try again"
        ).format(source=source)
    )


def read_text(data: bytes, source: str) -> Document:
    text = decode(data, source)
    blocks: list[Paragraph] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        where = _("line {line}").format(line=n)
        cell = line.endswith("|")
        if cell:
            line = line.rstrip("|").strip()
        if is_site_noise(line):
            continue
        blocks.append(Paragraph(clean_text(line), where, cell=cell))
    return Document(source, tuple(blocks))
