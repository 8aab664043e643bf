"""A YAML syntax error explained to someone who types on a Chinese keyboard.

PyYAML says *what* its scanner met ("found character that cannot start any token", "mapping
values are not allowed in this context"); the person editing schedule.yaml or contacts.yaml
needs *where the mistake is* and *what to type instead*. The common causes are few, and most
come from the input method: a tab, a full-width colon ``：`` or space ``\\u3000`` where YAML
wants the ASCII ones, a bracket or quote left open. Each is recognised from the parser's words
and the file's text around its marks, and named at the character to fix, which is often a line
or two above where the parser gave up. The parser's own words follow on a line of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from disclosure_calendar.core.i18n import gettext as _

FULL_WIDTH_COLON = "\uff1a"
FULL_WIDTH_SPACE = "\u3000"
# how many lines above the parser's mark a full-width character is looked for
_LOOKBACK = 6


@dataclass(frozen=True)
class Explanation:
    """Where to look (0-based, as PyYAML's marks) and what to tell the user."""

    line: int
    column: int
    message: str


def explain(text: str, exc: yaml.MarkedYAMLError) -> Explanation:
    """The likely cause of ``exc`` in ``text``, the position to fix, and the parser's words."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line, mark.column) if mark else (0, 0)
    lines = text.splitlines()
    problem = exc.problem or ""
    context = exc.context or ""
    found = _cause(lines, line, column, problem, context, exc)
    if found is None:
        found = Explanation(
            line,
            column,
            _(
                "YAML syntax error: check the indentation, colons and quotes on this line "
                "and the one above"
            ),
        )
    detail = "; ".join(part for part in (context, problem) if part)
    expert = _("(the YAML parser said: “{detail}”)").format(detail=detail)
    return Explanation(found.line, found.column, f"{found.message}\n    {expert}")


def _cause(
    lines: list[str],
    line: int,
    column: int,
    problem: str,
    context: str,
    exc: yaml.MarkedYAMLError,
) -> Explanation | None:
    tab = _tab_near(lines, line, column, problem)
    if tab is not None:
        return Explanation(
            *tab,
            _("a tab character: indent with spaces, not tabs (YAML does not allow tabs here)"),
        )
    full_width = _full_width_near(lines, line, exc)
    if full_width is not None:
        at_line, at_column, char = full_width
        if char == FULL_WIDTH_COLON:
            message = _(
                "a full-width colon “：”: YAML needs an ASCII colon and a space between a key "
                "and its value (title: 标题); switch the input method to half-width"
            )
        else:
            message = _(
                "a full-width space: YAML counts only ASCII spaces, in indentation and after "
                "the colon; switch the input method to half-width"
            )
        return Explanation(at_line, at_column, message)
    if "quoted scalar" in context and exc.context_mark is not None:
        start = exc.context_mark
        quote = _char(lines, start.line, start.column) or '"'
        return Explanation(
            start.line,
            start.column,
            _("the quote {quote} opened here is never closed: add the closing {quote}").format(
                quote=quote
            ),
        )
    for opening, closing, kind in (("{", "}", "flow mapping"), ("[", "]", "flow sequence")):
        if kind in context and exc.context_mark is not None:
            start = exc.context_mark
            return Explanation(
                start.line,
                start.column,
                _(
                    "the bracket {opening} opened here is not closed by {closing}, "
                    "or a comma is missing between its items"
                ).format(opening=opening, closing=closing),
            )
    if "mapping values are not allowed" in problem:
        return Explanation(
            line,
            column,
            _(
                "a colon and a space inside a value: put the value in quotes "
                '(title: "甲: 乙"), or check the indentation of the line above'
            ),
        )
    if "cannot start any token" in problem:
        return Explanation(
            line,
            column,
            _("a value cannot start with this character (such as @ or `): put the value in quotes"),
        )
    if "expected '-' indicator" in problem or "expected <block end>" in problem:
        return Explanation(
            line,
            column,
            _(
                "the indentation does not match: items of one list or mapping must start in "
                "the same column"
            ),
        )
    return None


def _tab_near(lines: list[str], line: int, column: int, problem: str) -> tuple[int, int] | None:
    if "tab" not in problem and "cannot start any token" not in problem:
        return None
    if _char(lines, line, column) == "\t":
        return line, column
    if line < len(lines) and "\t" in lines[line]:
        return line, lines[line].index("\t")
    return None


def _full_width_near(
    lines: list[str], line: int, exc: yaml.MarkedYAMLError
) -> tuple[int, int, str] | None:
    """The nearest full-width colon or space at or above the parser's mark, outside quotes.

    The parser stops after the mistake: ``name： x`` reads as one plain value, and only the
    next line's ``key:`` is refused.
    """
    top = exc.context_mark.line if exc.context_mark is not None else line - _LOOKBACK
    for number in range(min(line, len(lines) - 1), max(top, 0, line - _LOOKBACK) - 1, -1):
        found = _unquoted_full_width(lines[number])
        if found is not None:
            return number, found[0], found[1]
    return None


def _unquoted_full_width(text: str) -> tuple[int, str] | None:
    """A full-width colon or space where YAML's structure is: in the indentation, in a key
    or right after a key's colon. (In a value, ``title: 关于：某事``, they are just text.)"""
    quote = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return None
        elif char in (FULL_WIDTH_COLON, FULL_WIDTH_SPACE):
            return index, char
        elif char == ":" and text[index + 1 : index + 2] in ("", " ", FULL_WIDTH_SPACE):
            after = text[index + 1 : index + 2]
            return (index + 1, after) if after == FULL_WIDTH_SPACE else None
    return None


def _char(lines: list[str], line: int, column: int) -> str | None:
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return None


def key_hint(key: str) -> str:
    """A hint for a mapping key that holds a full-width colon or space (empty if none).

    ``  name：x`` or ``\\u3000\\u3000name: x`` parse without a syntax error, as a key (or a
    value) that no schema knows; the full-width character is the likely cause.
    """
    if FULL_WIDTH_COLON in key:
        return _(" (it holds a full-width colon “：”: write an ASCII colon and a space)")
    if FULL_WIDTH_SPACE in key:
        return _(" (it holds a full-width space: indent with ASCII spaces)")
    return ""
