"""schedule.yaml covers the plan: every section, every numbered item, the right lead units.

The plan (tests/data/seed_plan.txt) is parsed here on its own, independently of
schedule.yaml:

* strip pinyin annotations such as ``發(fā)`` and convert to simplified (opencc t2s);
* section headings ``一、加强预期引导 |``, items ``3.按月公开…… |``, and section 三's
  single un-numbered item (ref "3.1");
* the lead-unit cell is the line after an item; ``||``, a lone ``|`` or no line
  at all means "same unit(s) as the row above" and is carried down;
* a cell may list several units (``、`` or ``,``); a unit broken by a space
  (``市人力资源社会 保障局``) is one unit; ``(市政府督查室)`` is a remark.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from opencc import OpenCC

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "tests" / "data" / "seed_plan.txt"
SCHEDULE = ROOT / "schedule.yaml"

T2S = OpenCC("t2s")
PINYIN = re.compile(r"\([a-z\u00e0-\u00fc\u0100-\u017f\u01cd-\u01dc\u01f8\u01f9\u1e3f]+\)")
CN_DIGITS = "一二三四五六七八九"
HEADING = re.compile(r"^([一二三四五六七八九十]+)、(.+?)\s*\|$")
NUMBERED = re.compile(r"^(\d+)\.(.+?)\s*\|?$")
SEPARATOR = {"|", "||", ""}
GROUP_IDS = {"各镇区": "towns", "市政府各部门": "departments"}
# Damage in the plan copy that the transcription repairs (not in the original plan),
# and opencc t2s slips corrected by proof-reading.
KNOWN_REPAIRS = {"学?;巨k学": "学校基本办学", "著力": "着力"}


def chinese_number(s: str) -> int:
    """一 -> 1, 十 -> 10, 十三 -> 13, 二十二 -> 22."""
    if "十" not in s:
        return CN_DIGITS.index(s) + 1
    tens, _, ones = s.partition("十")
    value = (CN_DIGITS.index(tens) + 1 if tens else 1) * 10
    return value + (CN_DIGITS.index(ones) + 1 if ones else 0)


def simplify(line: str) -> str:
    return T2S.convert(PINYIN.sub("", line)).strip()


def split_cell(cell: str) -> list[str]:
    cell = re.sub(r"\s*[(（][^)）]*[)）]", "", cell.rstrip("|"))
    return [re.sub(r"\s+", "", part) for part in re.split(r"[、,，]", cell) if part.strip()]


def parse_plan() -> tuple[dict[int, str], dict[str, dict]]:
    """Return ({section: heading}, {ref: {"text": ..., "units": [names]}}) in plan order."""
    lines = [simplify(raw) for raw in PLAN.read_text(encoding="utf-8").splitlines()]
    lines = lines[lines.index("牵头落实单位 |") + 1 :]
    sections: dict[int, str] = {}
    items: dict[str, dict] = {}
    section, above = 0, []
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = HEADING.match(line)
        if heading:
            section = chinese_number(heading.group(1))
            sections[section] = heading.group(2)
        elif line not in SEPARATOR:
            numbered = NUMBERED.match(line)
            number, text = numbered.groups() if numbered else ("1", line.rstrip("| "))
            following = lines[i + 1] if i + 1 < len(lines) else ""
            is_cell = not (
                following in SEPARATOR or NUMBERED.match(following) or HEADING.match(following)
            )
            if is_cell:
                above = split_cell(following)
                i += 1
            items[f"{section}.{number}"] = {"text": text, "units": above}
        i += 1
    return sections, items


def normalise(text: str) -> str:
    """Compare texts regardless of full-width / ASCII punctuation."""
    return text.translate(str.maketrans("，；：（）", ",;:()"))


PLAN_SECTIONS, PLAN_ITEMS = parse_plan()
SCHED = yaml.safe_load(SCHEDULE.read_text(encoding="utf-8"))
DUTIES = SCHED["duties"]
NAME_TO_ID = {u["name"]: u["id"] for u in SCHED["units"]}
NAME_TO_ID.update({g["name"]: g["id"] for g in SCHED["groups"]})
BY_REF: dict[str, list[dict]] = defaultdict(list)
for _duty in DUTIES:
    BY_REF[str(_duty["ref"])].append(_duty)


def section_of(ref: str) -> int:
    return int(ref.split(".")[0])


# ---------------------------------------------------------------- the parser itself


def test_plan_parses_as_expected():
    assert sorted(PLAN_SECTIONS) == list(range(1, 23))
    assert [r for r in PLAN_ITEMS if section_of(r) == 3] == ["3.1"]
    assert len(PLAN_ITEMS) == 114
    assert PLAN_ITEMS["1.2"]["units"] == ["市人力资源社会保障局"]
    assert PLAN_ITEMS["5.7"]["units"] == ["市政府各部门", "各镇区"]  # lone | carried
    assert PLAN_ITEMS["14.8"]["units"] == ["市卫生计生局"]
    assert PLAN_ITEMS["22.2"]["units"] == ["市政府各部门", "各镇区"]  # no cell at all
    assert PLAN_ITEMS["19.3"]["units"] == ["市政府办公室"]  # (市政府督查室)


# ---------------------------------------------------------------- coverage


def test_every_section_present():
    in_schedule = {section_of(str(d["ref"])) for d in DUTIES}
    assert set(range(1, 23)) <= in_schedule


def to_chinese(n: int) -> str:
    """1 -> 一, 10 -> 十, 13 -> 十三, 22 -> 二十二."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens - 1] + "十")
    return head + (CN_DIGITS[ones - 1] if ones else "")


def test_section_heading_comments_in_order():
    raw = SCHEDULE.read_text(encoding="utf-8")
    fullwidth = str.maketrans(",;:()", "，；：（）")
    positions = []
    for n, heading in sorted(PLAN_SECTIONS.items()):
        assert chinese_number(to_chinese(n)) == n
        comment = f"  # {to_chinese(n)}、{heading}".translate(fullwidth)
        assert comment + "\n" in raw, comment
        positions.append(raw.index(comment))
    assert positions == sorted(positions)


@pytest.mark.parametrize("section", range(1, 23), ids=lambda s: f"section-{s:02d}")
def test_items_per_section(section):
    plan_refs = {r for r in PLAN_ITEMS if section_of(r) == section}
    schedule_refs = {str(d["ref"]) for d in DUTIES if section_of(str(d["ref"])) == section}
    assert schedule_refs == plan_refs


@pytest.mark.parametrize("ref", list(PLAN_ITEMS), ids=lambda r: f"item-{r}")
def test_units_match_plan(ref):
    expected = {NAME_TO_ID.get(n, GROUP_IDS.get(n, n)) for n in PLAN_ITEMS[ref]["units"]}
    assert BY_REF[ref], f"no duty for {ref}"
    for duty in BY_REF[ref]:
        assert set(duty["units"]) == expected, duty["id"]


@pytest.mark.parametrize("ref", list(PLAN_ITEMS), ids=lambda r: f"text-{r}")
def test_text_is_the_plan_text(ref):
    expected = PLAN_ITEMS[ref]["text"]
    for bad, good in KNOWN_REPAIRS.items():
        expected = expected.replace(bad, good)
    for duty in BY_REF[ref]:
        assert normalise(duty["text"]) == normalise(expected), duty["id"]


def preamble_sentences() -> list[str]:
    """The preamble's sentences from 各镇区、各牵头部门要结合实际 to the end of the letter."""
    text = "".join(simplify(raw) for raw in PLAN.read_text(encoding="utf-8").splitlines())
    start = text.index("各镇区、各牵头部门要结合实际")
    end = text.index("中山市人民政府办公室", start)
    return [s + "。" for s in normalise(text[start:end]).split("。") if s]


def test_preamble_duties():
    assert {str(d["ref"]) for d in DUTIES if section_of(str(d["ref"])) == 0} == {
        "0.1",
        "0.2",
        "0.3",
    }
    measures_text, guidance_text, _ = preamble_sentences()
    (measures,) = BY_REF["0.1"]
    assert normalise(measures["text"]) == measures_text
    assert set(measures["units"]) == {"towns", "lead_units"}
    assert measures["due"] == {
        "rule": "workdays_after_date",
        "date": SCHED["plan"]["issued"],
        "n": 30,
    }
    (guidance,) = BY_REF["0.2"]
    assert (
        normalise(guidance["text"])
        == guidance_text
        == "各牵头部门要加强对本系统政务公开工作的指导。"
    )
    assert guidance["units"] == ["lead_units"] and guidance["cadence"] == "ongoing"
    (inspection,) = BY_REF["0.3"]
    assert normalise(inspection["text"]) in normalise("".join(preamble_sentences()[2:]))
    assert inspection["units"] == ["government_office"] and inspection["cadence"] == "ongoing"


@pytest.mark.parametrize(
    "ref,cadences",
    [
        ("7.4", {"monthly", "quarterly", "yearly"}),
        ("21.2", {"daily", "quarterly", "yearly"}),
        ("13.2", {"yearly", "ongoing"}),
        ("3.1", {"ongoing", "monthly"}),
        ("5.4", {"ongoing", "once"}),
        ("10.1", {"yearly", "event"}),
        ("13.1", {"quarterly", "ongoing"}),
        ("13.4", {"once", "ongoing"}),
        ("21.6", {"once", "ongoing"}),
    ],
)
def test_split_items(ref, cadences):
    assert {d["cadence"] for d in BY_REF[ref]} == cadences


# ---------------------------------------------------------------- hygiene

TEXT_FIELDS = ("title", "text", "basis", "assumption", "note")
ASCII_PUNCT_BY_CHINESE = re.compile(r"[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]")


@pytest.mark.parametrize("duty", DUTIES, ids=lambda d: d["id"])
def test_strings_are_clean_simplified(duty):
    for field in TEXT_FIELDS:
        value = duty.get(field)
        if value is None:
            continue
        assert isinstance(value, str), field
        assert not PINYIN.search(value), (field, value)
        assert T2S.convert(value) == value, (field, value)
        assert not ASCII_PUNCT_BY_CHINESE.search(value), (field, value)
        assert "?" not in value, (field, value)
    assert len(duty["title"]) <= 20


def test_units_and_groups_are_simplified():
    for entry in SCHED["units"] + SCHED["groups"]:
        assert T2S.convert(entry["name"]) == entry["name"]


def test_refs_are_quoted_strings():
    for duty in DUTIES:
        assert isinstance(duty["ref"], str), duty["id"]
        assert re.fullmatch(r"\d+\.\d+", duty["ref"]), duty["id"]


def test_ids_unique_and_well_formed():
    ids = [d["id"] for d in DUTIES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", i) for i in ids)
    unit_ids = [u["id"] for u in SCHED["units"]] + [g["id"] for g in SCHED["groups"]]
    assert len(unit_ids) == len(set(unit_ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in unit_ids)


def test_every_assignee_is_defined():
    known = {u["id"] for u in SCHED["units"]} | {g["id"] for g in SCHED["groups"]}
    for group in SCHED["groups"]:
        assert set(group["members"]) <= known, group["id"]
    for duty in DUTIES:
        assert set(duty["units"]) <= known, duty["id"]


def test_groups():
    groups = {g["id"]: g for g in SCHED["groups"]}
    kinds = {u["id"]: u.get("kind", "department") for u in SCHED["units"]}
    assert set(groups["towns"]["members"]) == {u for u, k in kinds.items() if k == "town"}
    assert len(groups["towns"]["members"]) == 25
    assert "publicity_department" not in groups["departments"]["members"]
    assert not set(groups["departments"]["members"]) & set(groups["towns"]["members"])
    named = {u for d in DUTIES if section_of(d["ref"]) > 0 for u in d["units"]} - set(groups)
    named -= set(groups["towns"]["members"])
    assert set(groups["lead_units"]["members"]) == named


@pytest.mark.parametrize("duty", DUTIES, ids=lambda d: d["id"])
def test_cadence_and_due_agree(duty):
    cadence, due = duty["cadence"], duty.get("due")
    if cadence == "ongoing":
        assert due is None
    elif cadence == "event":
        rules = [v["rule"] for v in due["versions"]] if due["rule"] == "by_date" else [due["rule"]]
        assert set(rules) == {"workdays_after_event"} and isinstance(duty.get("events"), list)
    elif cadence == "once":
        # An undated one-off task gets an assumed deadline: none stays undated.
        assert due is not None and due["rule"] in ("workdays_after_date", "fixed_date")
    else:
        assert due is not None
        assert due["rule"] not in ("workdays_after_date", "workdays_after_event")
    if duty.get("assumed"):
        assert duty.get("assumption")


@pytest.mark.parametrize("duty", DUTIES, ids=lambda d: d["id"])
def test_basis_quotes_the_plan(duty):
    """basis is the plan's own words: each part (split at ；and ……) is in the duty's text."""
    assert duty["basis"] != "未明确时限"
    for part in re.split("；|……", duty["basis"]):
        assert part and part in duty["text"], part


def test_departments_against_the_stated_source():
    """市政府各部门 is exactly what its comment says it is compiled from: the plan's 市直 lead
    units less 市委宣传部, the two vertically managed tax bureaux and 市编委办 (members), then
    市编委办 and the listed other 工作部门 of 2017, to be confirmed (unconfirmed)."""
    raw = SCHEDULE.read_text(encoding="utf-8")
    (listed,) = re.findall(r"^  # departments-not-in-plan: (.+)$", raw, flags=re.M)
    others = listed.split("、")
    from_plan = {n for item in PLAN_ITEMS.values() for n in item["units"]} - set(GROUP_IDS)
    from_plan -= {"市委宣传部", "市国税局", "市地税局", "市编委办"}
    assert all(n.startswith("市") for n in from_plan | set(others))
    assert not from_plan & set(others)
    groups = {g["id"]: g for g in SCHED["groups"]}
    names = {u["id"]: u["name"] for u in SCHED["units"]}
    members = [names[m] for m in groups["departments"]["members"]]
    unconfirmed = [names[m] for m in groups["departments"]["unconfirmed"]]
    assert len(members) == len(set(members)) and not set(members) & set(unconfirmed)
    assert set(members) == from_plan
    assert set(unconfirmed) == {"市编委办", *others}
    assert (len(members), len(unconfirmed)) == (24, 14)
