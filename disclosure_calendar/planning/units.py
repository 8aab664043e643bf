"""Unit names and the ways plans assign tasks to them.

Forms (each a small function over the tables below):

* a list of names, in a 牵头单位 column or on its own line: ``市财政局、市审计局``;
* labels: ``牵头单位：X、Y；责任单位：Z`` (责任/配合/协办 after a 牵头 label: cooperating);
* verbs: ``X牵头落实``, ``X负责``, ``X、Y分别负责落实``, ``X牵头，Y配合``, ``由X负责``,
  ``X会同Y负责``;
* a standing rule: ``以下工作均需各镇区落实，不再列出``.

A name is a unit when it ends as unit names end (局, 委, 办, 中心, 政府, 管委会 …) or is a
collective (各镇区, 市政府各部门, 各牵头部门, 各有关单位 …). A name broken across a cell's
lines or by letter spacing (``市人力资源社会 保障局``) is joined again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import squeeze

# How unit names end, longest first where it matters.
SUFFIXES = (
    "人民政府",
    "政府",
    "办公室",
    "办公厅",
    "管委会",
    "委员会",
    "办事处",
    "联合会",
    "工会",
    "协会",
    "商会",
    "妇联",
    "残联",
    "科协",
    "侨联",
    "工商联",
    "文联",
    "社科联",
    "红十字会",
    "总会",
    "大学",
    "党校",
    "学校",
    "团委",
    "中心",
    "集团",
    "公司",
    "支行",
    "分行",
    "银行",
    "海关",
    "法院",
    "检察院",
    "研究院",
    "街道",
    "督查室",
    "支队",
    "大队",
    "局",
    "委",
    "办",
    "厅",
    "部",
    "室",
    "院",
    "站",
    "所",
    "处",
    "署",
    "馆",
    "社",
    "台",
    "队",
    "科",
    "股",
    "镇",
    "区",
    "县",
    "乡",
)
# Names standing for many units
COLLECTIVE = re.compile(
    r"([^各、，]{0,10}各[^各、，]{0,12}(部门|单位|镇区|镇街|镇|区|街道|县|市|乡镇|机关|委办局|成员单位))"
    r"|([^各、，]{0,10}(有关|相关)[^各、，]{0,8}(部门|单位))"
)
# Suffixes that also end ordinary words (学科, 本科): a name needs a place before them
SHORT_SUFFIXES = ("科", "股", "社", "台", "队", "馆")
# Words joining two names in a list: 市民政局和市农业农村局, 市级各部门及各县区政府
JOINERS = re.compile(r"以及|及|和|与")
# The mark some tables put after (or before) the lead's name in one 责任单位 column
STAR = re.compile(r"[*＊※]")
LEAD_LABELS = ("牵头单位", "牵头部门", "牵头落实单位", "牵头", "主办单位", "主责单位", "责任主体")
RESPONSIBLE_LABELS = ("责任单位", "责任部门", "落实单位", "承办单位", "实施单位", "负责单位")
COOPERATING_LABELS = ("配合单位", "配合部门", "协办单位", "参与单位", "协助单位", "协同单位")
# Verbs after names: (the verb, True when the names before it lead)
LEAD_VERBS = (
    "按职责分工负责落实",
    "按职责分工负责",
    "按职责分工落实",
    "分别负责落实",
    "分别牵头落实",
    "分别负责",
    "共同负责",
    "牵头负责落实",
    "牵头负责",
    "牵头落实",
    "负责落实",
    "组织实施",
    "牵头",
    "负责",
    "落实",
)
COOPERATING_VERBS = ("配合落实", "配合实施", "共同参与", "参与", "配合", "协助", "协办")
_SENTENCE = re.compile(r"[。！？“”《》：:]|[^\u3400-\u9fff（）()、，,；;\s]{6,}")
_SEPARATORS = re.compile(r"[、，,；;/\s]+")
STANDING = (
    re.compile(
        r"以下(?:各项)?(?:工作|任务|事项|内容)?(?:均|都)?(?:需|需要|要|由|须)(?P<names>[^，。；]{2,60}?)"
        r"(?:负责)?(?:共同)?落实[，,]?(?:不再(?:一一|逐项)?列出|不再重复|不再列明)"
    ),
    # 以下各项任务各地级以上市人民政府均需落实，不再一一列出
    re.compile(
        r"以下(?:各项|所列)?(?:工作|任务|事项|内容)?(?P<names>[^，。；]{2,60}?)(?:均|都)(?:需|需要|要|须|应)"
        r"(?:负责)?(?:抓好)?(?:共同)?落实[，,]?(?:不再(?:一一|逐项)?列出|不再重复|不再列明)"
    ),
)


@dataclass(frozen=True)
class Assignment:
    lead: tuple[str, ...]
    cooperating: tuple[str, ...] = ()
    # remarks in brackets after a name: 市政府办公室（市政府督查室）
    remarks: tuple[str, ...] = ()
    # a time label inside the same bracket: （牵头单位：X；完成时限：2023年6月底前）
    deadline: str = ""


def is_collective(name: str) -> bool:
    return bool(COLLECTIVE.fullmatch(name)) or name.startswith("各")


def is_unit_name(name: str) -> bool:
    """A unit's name or a collective one, not a stretch of prose."""
    if not 2 <= len(name) <= 40 or _SENTENCE.search(name):
        return False
    core = re.sub(r"[（(][^（）()]*[）)]$", "", name)
    if core.endswith(SHORT_SUFFIXES) and len(core) < 3:
        return False
    return is_collective(core) or core.endswith(SUFFIXES)


def _unwrap(text: str) -> str:
    """``（市财政局负责落实）`` without its brackets; ``市政府办公室（市政务公开办）`` whole."""
    while len(text) >= 2 and text[0] in "（(" and text[-1] in "）)":
        depth = 0
        for ch in text[1:-1]:
            depth += 1 if ch in "（(" else -1 if ch in "）)" else 0
            if depth < 0:
                return text
        if depth:
            return text
        text = text[1:-1].strip(" 。.；;")
    return text


# 等 closing a list: 市财政局等部门 (the others unnamed), 市财政局等市有关部门 (a collective)
_OTHERS = ("部门", "单位", "有关部门", "有关单位", "相关部门", "相关单位", "部门单位")


def _and_others(part: str) -> list[str] | None:
    head, sep, tail = part.partition("等")
    if not sep or not is_unit_name(head):
        return None
    if (
        not tail
        or tail in _OTHERS
        or re.fullmatch(r"[0-9一二三四五六七八九十]+个\w{0,2}(?:部门|单位)", tail)
    ):
        return [head]
    return [head, tail] if is_unit_name(tail) else None


def _joined(part: str) -> list[str] | None:
    """``市民政局和市农业农村局``: two names joined by a word, when every piece is a name
    (市住房和城乡建设局 is one: 市住房 is not a name)."""
    pieces = [p for p in JOINERS.split(part) if p]
    if len(pieces) > 1 and all(is_unit_name(p) for p in pieces):
        return pieces
    return None


def _top_level_split(text: str) -> list[str]:
    """Split at separators outside brackets: 各县（市、区） stays whole."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        elif depth == 0 and _SEPARATORS.fullmatch(ch):
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in (p.strip() for p in parts) if p]


def split_names(text: str) -> tuple[list[str], list[str]] | None:
    """The unit names of a list (and remarks in brackets), or None when it is not one."""
    text = text.strip().strip("。；;，,")
    if not text:
        return None
    names: list[str] = []
    remarks: list[str] = []
    pending = ""
    for part in _top_level_split(text):
        bracketed = re.fullmatch(r"[（(]([^（）()]+)[）)]", part)
        if bracketed and names and not pending:
            remarks.append(bracketed.group(1))
            continue
        part = pending + squeeze(part)
        remark = re.search(r"[（(]([^（）()]+)[）)]$", part)
        if remark and is_unit_name(remark.group(1)) and not is_collective(part):
            remarks.append(remark.group(1))
            part = part[: remark.start()]
        joined = _joined(part) or _and_others(part)
        if joined:
            names.extend(joined)
            pending = ""
        elif is_unit_name(part):
            names.append(part)
            pending = ""
        else:
            pending = part
    if pending and (names or not is_unit_name(squeeze(pending))):
        return None
    return (names, remarks) if names else None


def _names_before(text: str, verbs: tuple[str, ...]) -> tuple[list[str], list[str], str] | None:
    for verb in verbs:
        if text.endswith(verb):
            head = text[: -len(verb)]
            head = head.removeprefix("由").removeprefix("请")
            found = split_names(head)
            if found:
                return found[0], found[1], verb
    return None


def parse_assignment(text: str) -> Assignment | None:
    """Who leads and who helps, from a cell, a bracket or a sentence; None if it is not one."""
    # 牵头单位：X 责任单位：Y: the space before a label ends the names (squeeze would join)
    text = _unwrap(squeeze(LABEL_SPACE.sub("；", text)).strip(" 。.；;"))
    if not text:
        return None
    if STAR.search(text):
        return _starred(text)
    if re.search(r"[:：]", text):
        return _labelled(text)
    lead: list[str] = []
    cooperating: list[str] = []
    remarks: list[str] = []
    led = False
    for clause in re.split(r"[，,；;]", text):
        clause = clause.strip()
        if not clause:
            continue
        with_ = re.fullmatch(
            r"(?:由)?(.+?)(?:会同|联合|协同|指导|督促|组织)(.+?)(负责落实|负责|落实|实施)?", clause
        )
        if with_:
            first, second = split_names(with_.group(1)), split_names(with_.group(2))
            if first and second:
                lead += first[0]
                cooperating += second[0]
                continue
        found = _names_before(clause, COOPERATING_VERBS)
        if found:
            cooperating += found[0]
            remarks += found[1]
            continue
        found = _names_before(clause, LEAD_VERBS)
        if found:
            # X牵头，Y负责: after a 牵头 clause, those who "do" it help the lead
            (cooperating if led else lead).extend(found[0])
            led = led or "牵头" in found[2]
            remarks += found[1]
            continue
        plain = split_names(clause)
        if not plain:
            return None
        (cooperating if lead and cooperating else lead).extend(plain[0])
        remarks += plain[1]
    if not lead and not cooperating:
        return None
    if not lead:
        lead, cooperating = cooperating, []
    return Assignment(tuple(dict.fromkeys(lead)), tuple(dict.fromkeys(cooperating)), tuple(remarks))


def _starred(text: str) -> Assignment | None:
    """``区民政局*、区农业农村局``: the names marked with a star lead, the others help."""
    plain = parse_assignment(STAR.sub("", text))
    if plain is None:
        return None
    names = plain.lead + plain.cooperating
    marked = [
        n
        for n in names
        if re.search(re.escape(n) + r"\s*" + STAR.pattern, text)
        or re.search(STAR.pattern + r"\s*" + re.escape(n), text)
    ]
    if not marked:
        return plain
    rest = [n for n in names if n not in marked]
    return Assignment(tuple(marked), tuple(rest), plain.remarks)


LABEL_SPACE = re.compile(
    r"\s+(?=(?:牵头|责任|配合|协办|参与|协助|主办|承办|落实|完成|时限|时间)[\u3400-\u9fff]{0,6}[：:])"
)
# Where one label's names end: ；, or ，/a space before the next label (……，配合单位：)
LABEL_BREAK = re.compile(r"[；;。]|[，,\s]+(?=[\u3400-\u9fff]{2,8}[：:])")


TIME_LABELS = re.compile(
    r"完成时限|完成时间|时间要求|时限要求|时间安排|进度安排|时间节点|时限|时间"
)


def _labelled(text: str) -> Assignment | None:
    deadline: list[str] = []
    lead: list[str] = []
    responsible: list[str] = []
    cooperating: list[str] = []
    remarks: list[str] = []
    for part in LABEL_BREAK.split(text):
        label, colon, names = part.partition("：") if "：" in part else part.partition(":")
        if not colon:
            if part.strip():
                return None
            continue
        label = squeeze(label)
        if TIME_LABELS.fullmatch(label):
            deadline.append(names.strip())
            continue
        found = split_names(names)
        if not found:
            return None
        remarks += found[1]
        if label in LEAD_LABELS or "牵头" in label:
            lead += found[0]
        elif label in COOPERATING_LABELS or label.startswith(("配合", "协办", "参与", "协助")):
            cooperating += found[0]
        elif label in RESPONSIBLE_LABELS or label.endswith(("单位", "部门")):
            responsible += found[0]
        else:
            return None
    if lead:
        cooperating = responsible + cooperating
    else:
        lead = responsible
    if not lead and not cooperating:
        return None
    return Assignment(
        tuple(dict.fromkeys(lead)),
        tuple(dict.fromkeys(cooperating)),
        tuple(remarks),
        "；".join(deadline),
    )


# A task's own bracket at the end of a sentence: （市财政局负责落实）, （牵头单位：X；责任单位：Y）
BRACKET = re.compile(r"[（(]((?:[^（）()]|[（(][^（）()]*[）)])+)[）)]")
# The same without brackets, closing a sentence: ……。市财政局牵头落实。
TRAILING = re.compile(
    r"(?:^|(?<=[。；;]))\s*(?P<who>(?:由)?[^。；;]{2,80}?(?:"
    + "|".join(LEAD_VERBS[:-1])
    + r"|配合))[。；;]?\s*$"
)


# A note under the table: the first unit of a list leads (注：排在第一位的为牵头单位)
FIRST_LEADS = re.compile(
    r"(?:排在|排|列在|列于|位于)?(?:第一位|第一个|首位|最前面|最前)的?(?:单位|部门)?(?:为|是|系)牵头(?:单位|部门)"
)


def first_listed_leads(text: str) -> bool:
    """Whether ``text`` says the first unit of each list is the lead one."""
    return bool(FIRST_LEADS.search(squeeze(text)))


def standing_rule(text: str) -> tuple[str, ...] | None:
    """The units of 以下工作均需各镇区落实，不再列出, or None."""
    text = squeeze(text)
    match = next((m for m in (p.search(text) for p in STANDING) if m), None)
    if not match:
        return None
    found = split_names(match.group("names"))
    return tuple(found[0]) if found else None


MODAL = re.compile(r"^(?P<who>[^，。；：]{2,80}?)(?:要|将|应当|应|须|必须|需要|需)(?P<what>.+)$")
# What every preamble says and no one can do by a date: calls to study and hold to
EXHORTATION = re.compile(
    r"^(认真|切实|深入|全面|进一步)?(贯彻|学习|领会|提高认识|高度重视|统一思想|强化|增强)"
)


def subject_units(sentence: str) -> Assignment | None:
    """``各镇区、各部门要……``: the units a sentence makes its subject, or None."""
    match = MODAL.match(sentence)
    if not match or EXHORTATION.match(match.group("what")):
        return None
    found = split_names(match.group("who"))
    if not found:
        return None
    return Assignment(tuple(found[0]))
