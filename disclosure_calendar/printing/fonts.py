"""The one font printed calendars are set in (Noto Sans CJK SC from Debian), found and subset.

Never whatever font a machine happens to have: a missing glyph is an error, not a box.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..core.errors import DisclosureError, Problem, Where
from ..core.fontfiles import find_font_file
from ..core.i18n import gettext as _

# Debian's fonts-noto-cjk (core.fontfiles finds them; fc-match only when not where Debian puts them).
FONT_FILES = {400: "NotoSansCJK-Regular.ttc", 700: "NotoSansCJK-Bold.ttc"}
FONT_FAMILY = "Noto Sans CJK SC"  # the simplified-Chinese face inside the collection
FONT_ALIAS = "DC Noto Sans CJK SC"  # our name in @font-face, so no system font can stand in


@dataclass(frozen=True)
class FontSource:
    """A face inside a font file: the collection and the index of the simplified-Chinese face."""

    path: Path
    index: int


def find_fonts() -> dict[int, FontSource]:
    """The regular and bold Noto Sans CJK SC faces, or a DisclosureError saying what to install."""
    found: dict[int, FontSource] = {}
    for weight, name in FONT_FILES.items():
        style = "Bold" if weight >= 700 else "Regular"
        path = find_font_file(name, FONT_FAMILY, style)
        found[weight] = FontSource(path, _face_index(path))
    return found


@cache
def _face_index(path: Path) -> int:
    # HarfBuzz reads a collection's name tables without parsing the rest: validate asks this
    # on every run, and fontTools' TTCollection took ~80 ms for the same answer.
    import uharfbuzz as hb

    if path.suffix.lower() != ".ttc":
        return 0
    blob = hb.Blob.from_file_path(str(path))
    for index in range(64):  # a face past the collection's end is empty
        face = hb.Face(blob, index)
        if face.glyph_count == 0:
            break
        if face.get_name(hb.OTNameIdPredefined.FONT_FAMILY) == FONT_FAMILY:
            return index
    raise DisclosureError(
        _("{path} holds no face named {font!r}").format(path=path, font=FONT_FAMILY)
    )


@dataclass(frozen=True)
class Subset:
    weight: int
    data: bytes  # OpenType (CFF) bytes holding only the glyphs the documents use


def subset_fonts(fonts: dict[int, FontSource], text: str) -> tuple[Subset, ...]:
    """Cut each face down to ``text``'s characters; fail naming any the font lacks."""
    import uharfbuzz as hb

    wanted = {ord(ch) for ch in text if ch.isprintable() and not ch.isspace()}
    out = []
    for weight, source in sorted(fonts.items()):
        face = hb.Face(hb.Blob.from_file_path(str(source.path)), source.index)
        missing = sorted(wanted - set(face.unicodes))
        if missing:
            chars = " ".join(f"{chr(c)} (U+{c:04X})" for c in missing[:20])
            raise DisclosureError(
                _("{font} in {path} has no glyph for: {chars}").format(
                    font=FONT_FAMILY, path=source.path, chars=chars
                )
            )
        spec = hb.SubsetInput()
        for code in wanted:
            spec.unicode_set.add(code)
        result = hb.subset(face, spec)
        if result is None:
            raise DisclosureError(_("could not subset {path}").format(path=source.path))
        out.append(Subset(weight, bytes(result.blob.data)))
    return tuple(out)


def font_face_css(sources: dict[int, str]) -> str:
    """@font-face rules for our alias, one per weight, from URLs (file: or data:)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_ALIAS}"; font-weight: {weight}; '
        f'src: url("{url}") format("opentype"); }}'
        for weight, url in sorted(sources.items())
    )


def embedded_css(subsets: Sequence[Subset]) -> str:
    """The fonts inside the page, so the HTML prints the same on a machine without them."""
    return font_face_css(
        {s.weight: "data:font/otf;base64," + base64.b64encode(s.data).decode() for s in subsets}
    )


def glyph_problems(path: Path, text: str, fonts: dict[int, FontSource]) -> list[Problem]:
    """Characters of a schedule file the print font lacks, each at its line and column.

    ``validate`` asks, so that a rare character is found when the file is edited, not when
    a calendar is printed. Comment lines are skipped: they are never printed.
    """
    import uharfbuzz as hb

    printed = [
        (number, line)
        for number, line in enumerate(text.splitlines(), 1)
        if not line.lstrip().startswith("#")
    ]
    # Each distinct character looked up once per face: a file uses a few hundred, and the
    # face's whole character map (~45,000 code points per face) cost ~25 ms to read.
    used = {ch for _, line in printed for ch in line if ch.isprintable() and not ch.isspace()}
    lacking: set[str] = set()
    for source in fonts.values():
        font = hb.Font(hb.Face(hb.Blob.from_file_path(str(source.path)), source.index))
        lacking |= {ch for ch in used if font.get_nominal_glyph(ord(ch)) is None}
    if not lacking:
        return []
    problems = []
    for number, line in printed:
        for column, ch in enumerate(line, 1):
            if ch in lacking:
                problems.append(
                    Problem(
                        Where(str(path), number, column),
                        _("the print font {font} has no glyph for {char} (U+{code:04X})").format(
                            font=FONT_FAMILY, char=ch, code=ord(ch)
                        ),
                    )
                )
    return problems
