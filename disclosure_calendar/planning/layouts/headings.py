"""Section numbering as plans write it: 一、 (一) 1. （1） ①, outermost first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..words import cn_number

_CN = r"[一二三四五六七八九十百]{1,4}"
# (style, pattern): the order is the nesting order of the genre (GB/T 9704's 一、（一）1.（1）)
STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chinese", re.compile(rf"^(?:第({_CN})(?:部分|章|项)[、，,\s]*|({_CN})\s*[、．.]\s*)")),
    ("chinese_bracket", re.compile(rf"^[（(]\s*({_CN})\s*[）)]\s*[、．.]?\s*")),
    ("arabic", re.compile(r"^(\d{1,3})\s*(?:[、．]|\.(?!\d))\s*")),
    ("arabic_bracket", re.compile(r"^[（(]\s*(\d{1,3})\s*[）)]\s*[、．.]?\s*")),
    ("circled", re.compile(r"^([①-⑳])\s*")),
)
LEVEL = {style: n for n, (style, _p) in enumerate(STYLES)}


@dataclass(frozen=True)
class Numbering:
    style: str
    number: int
    rest: str

    @property
    def level(self) -> int:
        return LEVEL[self.style]


def numbering(text: str) -> Numbering | None:
    """How ``text`` is numbered, if it is: ``二、推进…`` -> chinese, 2, ``推进…``."""
    for style, pattern in STYLES:
        match = pattern.match(text)
        if match:
            value = next(g for g in match.groups() if g)
            number = ord(value) - 0x245F if style == "circled" else cn_number(value)
            rest = text[match.end() :].strip()
            if rest and number > 0:
                return Numbering(style, number, rest)
    return None
