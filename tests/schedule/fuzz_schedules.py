"""Generated hostile variants of valid schedules, and the check each one must pass.

Used by tests/schedule/test_fuzz_schedules.py (2,000 variants in CI) and bench/bench_fuzz.py
(as many as asked, with timings). Each variant is a seed file changed by one to three
mutations, chosen by a seeded random generator, so case N is the same everywhere.

The check: loading either succeeds, with every duty entry of the file in the model and the
occurrences of two years expanding without error, or fails with an InputError whose every
problem names this file and a line in it. Anything else (another exception, a traceback) is
a finding, and so is a case that takes longer than LIMIT seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from disclosure_calendar.core.errors import InputError
from disclosure_calendar.occurrences.expansion import expand
from disclosure_calendar.schedule.loader import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

DATA = Path(__file__).resolve().parents[1] / "data"
SEEDS = [DATA / "minimal.yaml", DATA / "valid_small.yaml", DATA / "calendar_override.yaml"]
LIMIT = 5.0  # seconds a single case may take

KEY = re.compile(r"^(\s*-?\s*)([a-z_]+):", re.M)
VALUE = re.compile(r"^(\s*-?\s*[a-z_]+:[ \t]*)(\S.*)$", re.M)
NUMBER = re.compile(r"(?<![\w.-])\d+(?![\w.-])")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TAGS = [
    "!!timestamp", "!!int", "!!float", "!!bool", "!!null", "!!binary", "!!str", "!!set",
    "!!omap", "!!pairs", "!!seq", "!!map", "!custom", "!!python/object:os.system",
]  # fmt: skip
BAD_DATES = [
    "2017-02-30", "9999-12-31", "0001-01-01", "2017-13-01", "2100-01-01", "2003-12-31",
    "2017-6-9", "2017-06-09T25:00:00", "2017-06-09 10:00:00+99:00", "1e9999",
]  # fmt: skip
HUGE = [
    "9" * 400,
    "-1",
    "-99999999999999999999",
    "1e308",
    "1e309",
    ".nan",
    "0x7fffffff",
    "0",
    "1.5",
]


def flip_byte(text: str, rng: random.Random) -> str:
    data = bytearray(text.encode("utf-8", "surrogateescape"))
    for _ in range(rng.randint(1, 4)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return data.decode("utf-8", "surrogateescape")


def delete_line(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def indent(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    n = rng.randrange(len(lines))
    lines[n] = " " * rng.choice([1, 2, 3, 4, 8]) + lines[n] if rng.random() < 0.6 else lines[n][1:]
    return "\n".join(lines)


def rename_key(text: str, rng: random.Random) -> str:
    keys = list(KEY.finditer(text))
    m = rng.choice(keys)
    new = rng.choice([m.group(2)[:-1], m.group(2) + "s", m.group(2).upper(), "x", "id", "due"])
    return text[: m.start(2)] + new + text[m.end(2) :]


def empty_value(text: str, rng: random.Random) -> str:
    m = rng.choice(list(VALUE.finditer(text)))
    return text[: m.start(2)] + rng.choice(["", "~", "null", "''", "[]", "{}"]) + text[m.end(2) :]


def huge_number(text: str, rng: random.Random) -> str:
    m = rng.choice(list(NUMBER.finditer(text)))
    return text[: m.start()] + rng.choice(HUGE) + text[m.end() :]


def bad_date(text: str, rng: random.Random) -> str:
    found = list(DATE.finditer(text))
    if not found:
        return huge_number(text, rng)
    m = rng.choice(found)
    return text[: m.start()] + rng.choice(BAD_DATES) + text[m.end() :]


def groups(text: str, rng: random.Random) -> str:
    """A chain of groups (possibly closed into a cycle) ahead of the existing ones."""
    length = rng.choice([2, 5, 21, 22, 200, rng.randint(1, 3000)])
    last = rng.choice(["finance", "g0", "nobody", "g1"])
    defs = [f"  - {{id: g{i}, name: 组{i}, members: [g{i + 1}]}}" for i in range(length - 1)]
    defs.append(f"  - {{id: g{length - 1}, name: 组, members: [{last}]}}")
    block = "\n".join(defs) + "\n"
    if "groups:\n" in text:
        text = text.replace("groups:\n", "groups:\n" + block, 1)
    else:
        text = text.replace("duties:\n", "groups:\n" + block + "duties:\n", 1)
    # Let the first duty reach the chain, so a long one is not only validated but expanded.
    return re.sub(r"(\n    units: )\[[^\]]*\]", r"\1[g0]", text, count=1)


def deep_nesting(text: str, rng: random.Random) -> str:
    depth = rng.choice([50, 500, 5000, 20000])
    nested = "[" * depth + "]" * depth if rng.random() < 0.5 else "{a: " * depth + "1" + "}" * depth
    m = rng.choice(list(VALUE.finditer(text)))
    return text[: m.start(2)] + nested + text[m.end(2) :]


def tag(text: str, rng: random.Random) -> str:
    m = rng.choice(list(VALUE.finditer(text)))
    return text[: m.start(2)] + rng.choice(TAGS) + " " + text[m.start(2) :]


def alias_bomb(text: str, rng: random.Random) -> str:
    levels = rng.choice([3, 6, 9])
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    if rng.random() < 0.5:
        return "\n".join(bomb) + "\n" + text
    # As a value inside the file: the anchor must come before its use.
    m = rng.choice(list(VALUE.finditer(text)))
    anchor = "&z [" + ", ".join(["x"] * 10) + "]"
    return text[: m.start(2)] + anchor + text[m.end(2) :] + f"\nzz: [{', '.join(['*z'] * 50)}]\n"


MUTATIONS: list[Callable[[str, random.Random], str]] = [
    flip_byte, delete_line, indent, rename_key, empty_value, huge_number, bad_date, groups,
    deep_nesting, tag, alias_bomb,
]  # fmt: skip


def variant(n: int) -> tuple[str, str]:
    """Case ``n``: the mutated text and the names of its mutations."""
    rng = random.Random(n)
    text = SEEDS[n % len(SEEDS)].read_text(encoding="utf-8")
    names = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        mutate = (
            MUTATIONS[(n + len(names)) % len(MUTATIONS)] if not names else rng.choice(MUTATIONS)
        )
        text = mutate(text, rng)
        names.append(mutate.__name__)
    return text, "+".join(names)


@dataclass
class Outcome:
    n: int
    mutations: str
    accepted: bool
    seconds: float
    finding: str | None  # what is wrong, if anything


def duty_entries(text: str) -> int | None:
    """How many duty entries the file holds, read by a plain YAML parser; None if unreadable."""
    try:
        doc = yaml.load(text, Loader=yaml.CSafeLoader)
        duties = doc.get("duties") if isinstance(doc, dict) else None
    except Exception:  # noqa: BLE001 - a file PyYAML cannot read is counted by the loader
        return None
    return len(duties) if isinstance(duties, list) else None


def check(n: int, folder: Path) -> Outcome:
    text, mutations = variant(n)
    path = folder / f"case{n}.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    lines = text.count("\n") + 1
    started = time.monotonic()
    finding = None
    accepted = False
    try:
        schedule = load_schedule(path)
        accepted = True
        entries = duty_entries(text)
        if entries is not None and entries != len(schedule.duties):
            finding = f"validate passed with {len(schedule.duties)} of {entries} duties"
        else:
            cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
            expand(schedule, cal, dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    except InputError as exc:
        for p in exc.problems:
            if p.where is None or p.where.path != str(path) or not 1 <= p.where.line <= lines:
                finding = f"problem without file:line: {p}"
                break
    except Exception as exc:  # noqa: BLE001 - any other exception is what we look for
        finding = f"{type(exc).__name__}: {exc}"[:300]
    seconds = time.monotonic() - started
    if finding is None and seconds > LIMIT:
        finding = f"took {seconds:.1f} s"
    path.unlink()
    return Outcome(n, mutations, accepted, seconds, finding)
