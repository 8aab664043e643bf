"""Prose: stretches of text each closed by its own unit bracket.

``按月公开……完成情况。（市财政局负责落实）及时公开……。（市统计局牵头，市财政局配合）`` is
two tasks. A bracket is a task's when its content reads as an assignment (units.py) and it
stands at the end of a sentence; other brackets (（试行）, （粤府函〔2017〕65号）) are text.
A sentence closed by ``……，市财政局牵头落实。`` without brackets counts the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..units import BRACKET, TRAILING, Assignment, parse_assignment


@dataclass(frozen=True)
class Stretch:
    text: str
    assignment: Assignment | None


def _ends_sentence(text: str, end: int) -> bool:
    rest = text[end:].lstrip()
    return not rest or rest[0] in "。；;，," or re.match(r"[\u3400-\u9fff（(0-9]", rest) is not None


# Words that make a bracket an assignment wherever it stands; without them (乡镇（街道）,
# 市政府办公室（市外事局）) a bracket of bare names closes a task only at a sentence's end
ASSIGNING = re.compile(r"牵头|负责|落实|配合|协助|参与|实施|单位|部门[:：]|[:：]")


def _closes(text: str, match: re.Match[str]) -> bool:
    if ASSIGNING.search(match.group(1)):
        return True
    before = text[: match.start()].rstrip()
    rest = text[match.end() :].lstrip()
    return before.endswith(("。", "；", ";", ".", "！")) or not rest or rest[0] in "。；;"


def split_prose(text: str) -> list[Stretch]:
    """``text`` cut after each unit bracket; the stretch after the last one, if any, has none."""
    stretches: list[Stretch] = []
    start = 0
    for match in BRACKET.finditer(text):
        if not _ends_sentence(text, match.end()) or not _closes(text, match):
            continue
        before = text[start : match.start()].strip()
        if not before or not re.search(r"[。；;.]$", before) and len(before) < 4:
            continue
        assignment = parse_assignment(match.group(1))
        if assignment is None:
            continue
        stretches.append(Stretch(before.strip("；; "), assignment))
        start = match.end()
        while start < len(text) and text[start] in "。；;，, ":
            start += 1
    rest = text[start:].strip()
    if rest:
        stretches.append(_trailing(rest))
    return stretches


def _trailing(text: str) -> Stretch:
    """``……。市财政局牵头落实。``: the sentence of units taken off the text."""
    match = TRAILING.search(text)
    if match and match.start() > 0:
        assignment = parse_assignment(match.group("who"))
        if assignment is not None:
            return Stretch(text[: match.start()].strip(), assignment)
    return Stretch(text, None)


def has_assignment(text: str) -> bool:
    return any(s.assignment is not None for s in split_prose(text))
