"""The notice as PDF: Typst sets the blocks in the layout's sizes, in the Noto CJK fonts.

Typst sees only our font files (no system font can stand in); a warning about a font is an
error, as in ``printing``.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from importlib import resources
from pathlib import Path

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.fontfiles import find_font_file
from .content import Block, Imprint, Paragraph, Table
from .layout import MARGINS_MM, PAGE_MM, RULE_THICK_MM, RULE_THIN_MM, SERIF, STYLES

# The files Typst may read: the families the layout names, and no other.
FONT_FILES = (
    ("NotoSerifCJK-Regular.ttc", SERIF, "Regular"),
    ("NotoSerifCJK-Bold.ttc", SERIF, "Bold"),
    ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "Regular"),
)


def _block(block: Block) -> dict[str, object]:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "style": block.style, "text": block.text}
    if isinstance(block, Table):
        return {
            "kind": "table",
            "headers": list(block.headers),
            "rows": [list(r) for r in block.rows],
            "widths": list(block.widths),
            "aligns": list(block.aligns),
        }
    assert isinstance(block, Imprint)
    return {"kind": "imprint", **asdict(block)}


def notice_json(blocks: Sequence[Block], *, title: str, author: str, date: dt.date) -> str:
    """What the template reads: the layout's numbers and the blocks."""
    styles = {
        role: {
            "font": s.pdf_font,
            "weight": s.pdf_weight,
            "size": s.size,
            "align": s.align,
            "indent_chars": s.indent_chars,
            "right_chars": s.right_chars,
            "line": s.line,
            "space_before": s.space_before,
        }
        for role, s in STYLES.items()
    }
    return json.dumps(
        {
            "title": title,
            "author": author,
            "date": date.isoformat(),
            "layout": {
                "page": list(PAGE_MM),
                "margins": MARGINS_MM,
                "styles": styles,
                "rule_thick": RULE_THICK_MM,
                "rule_thin": RULE_THIN_MM,
            },
            "blocks": [_block(b) for b in blocks],
        },
        ensure_ascii=False,
    )


def notice_pdf(blocks: Sequence[Block], *, title: str, author: str, date: dt.date) -> bytes:
    """The PDF's bytes."""
    import typst

    source = (
        resources.files("disclosure_calendar.reports") / "templates" / "notice.typ"
    ).read_bytes()
    with tempfile.TemporaryDirectory(prefix="dc-notice-fonts-") as tmp:
        # Typst reads fonts from folders: this one holds links to exactly our files.
        for name, family, style in FONT_FILES:
            Path(tmp, name).symlink_to(find_font_file(name, family, style))
        fonts = typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=False, font_paths=[tmp]
        )
        compiler = typst.Compiler(font_paths=fonts, ignore_system_fonts=True)
        try:
            pdf, warnings = compiler.compile_with_warnings(
                input=source,
                format="pdf",
                sys_inputs={"notice": notice_json(blocks, title=title, author=author, date=date)},
                timestamp=dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC),
            )
        except typst.TypstError as exc:  # a template bug, not a user mistake
            raise RuntimeError(f"notice.typ: {exc.message}\n{exc.diagnostic}") from exc
    for warning in warnings:
        if "font" in warning.message:
            raise DisclosureError(_("PDF font problem: {message}").format(message=warning.message))
    assert isinstance(pdf, bytes)
    return pdf
