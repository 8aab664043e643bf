"""Help texts laid out for a terminal: Chinese wrapped by display columns.

click wraps help at spaces, which Chinese has none of, and counts characters, not the two
columns a Chinese character takes. ``wrap`` breaks by width and where Chinese allows (never
a line starting with ，or ending with （); ``HelpFormatter`` uses it for the option table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import click

from . import i18n

# Chinese does not start a line with these: they stay at the end of the line before.
NO_LINE_START = "，。；：、）》！？”’］】」』〕"
# Nor end one with these: they go to the next line with what they open.
NO_LINE_END = "（《“‘［【「『〔"


def wrap(text: str, limit: int = 76) -> str:
    """Chinese text wrapped by terminal columns (click wraps at spaces, which it has none of)."""
    from .table import width as text_width

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        # a run of ASCII (a name, an option, a date) is never split
        for piece in re.findall(r"[!-~]+|.", paragraph):
            fits = text_width(line) + text_width(piece) <= limit
            if not fits and not piece.isspace() and piece[0] not in NO_LINE_START:
                # the opening marks at the end, and any spaces among them
                kept = line.rstrip(NO_LINE_END + " ")
                if kept.strip():
                    line, piece = kept, line[len(kept) :] + piece
                lines.append(line.rstrip())
                line = piece.lstrip()
                continue
            line += piece
        lines.append(line)
    return "\n".join(lines)


class HelpFormatter(click.HelpFormatter):
    def write_heading(self, heading: str) -> None:
        colon = ":" if i18n.current_language() == "en" else "："
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        if i18n.current_language() == "en":
            return super().write_dl(rows, col_max, col_spacing)
        from .table import width

        # click's own layout, measured in terminal columns: a metavar like 整数 takes four,
        # where click counts two characters and the second column would not line up
        table = list(rows)
        first_col = min(max((width(first) for first, _s in table), default=0), col_max)
        first_col += col_spacing
        text_width = max(self.width - first_col - 2 - self.current_indent, 10)
        for first, second in table:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            lines = wrap(full_width_extra(second), text_width).splitlines() or [""]
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)) + lines[0] + "\n")
                lines = lines[1:]
            else:
                self.write("\n")
            for line in lines:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")
        return None


def full_width_extra(text: str) -> str:
    """click's own ``[默认：1; 1<=x<=64]`` after a help text, in Chinese brackets and ；."""
    return re.sub(
        r"\[([^\[\]]*)\]$", lambda m: "［" + m.group(1).replace("; ", "；") + "］", text.rstrip()
    )
