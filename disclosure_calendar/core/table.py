"""Plain text tables that line up in a terminal, Chinese text included."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A left-aligned text table that lines up with Chinese text in a terminal."""
    cols = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c + " " * (w - width(c)) for c, w in zip(cells, cols, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in cols)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
