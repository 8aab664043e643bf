"""The plan's unit names to the ids of a schedule: exact, a known variant, or a new id.

Variants: 市发展改革局, 市发改局, 市发展和改革局, 市发改委, 市发展和改革委员会 are one unit;
the same for the usual long and short names (人力资源和社会保障 / 人社, 经济和信息化 / 经信 …).
Collective names (各镇区, 市政府各部门, 各牵头部门 and their variants) map to the schedule's
groups. A new unit gets a readable ASCII id: its name in pinyin without the city prefix and
the tones (市水务局 -> shuiwuju).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..schedule.model import Schedule
from .units import is_collective

# Long and short forms of one name part: long first
SHORT_FORMS = (
    ("发展和改革委员会", "发改"),
    ("发展和改革局", "发改"),
    ("发展改革委员会", "发改"),
    ("发展改革委", "发改"),
    ("发展改革局", "发改"),
    ("发改委", "发改"),
    ("发改局", "发改"),
    ("人力资源和社会保障", "人社"),
    ("人力资源社会保障", "人社"),
    ("经济和信息化", "经信"),
    ("工业和信息化", "工信"),
    ("住房和城乡建设", "住建"),
    ("住房城乡建设", "住建"),
    ("市场监督管理", "市场监管"),
    ("食品药品监督管理", "食药监"),
    ("食品药品监管", "食药监"),
    ("安全生产监督管理", "安监"),
    ("安全监管", "安监"),
    ("环境保护", "环保"),
    ("生态环境", "生态环境"),
    ("卫生和计划生育", "卫计"),
    ("卫生计生", "卫计"),
    ("卫生健康", "卫健"),
    ("国有资产监督管理委员会", "国资委"),
    ("人民政府办公室", "政府办"),
    ("政府办公室", "政府办"),
    ("机构编制委员会办公室", "编委办"),
    ("统计局", "统计局"),
    ("委员会", "委"),
)
# Collective names: the schedule's group name they stand for
GROUP_VARIANTS = {
    "各镇区": (
        "各镇区",
        "各镇街",
        "各镇（区）",
        "各镇、区",
        "各镇政府、区办事处",
        "各镇政府和区办事处",
        "各镇（区）政府",
    ),
    "市政府各部门": (
        "市政府各部门",
        "市直各部门",
        "市直各单位",
        "市各有关部门",
        "各部门",
        "市政府各有关部门",
    ),
    "各牵头部门": ("各牵头部门", "各牵头单位", "各牵头落实单位"),
}
LEAD_GROUP = "各牵头部门"


def name_key(name: str) -> str:
    """A unit name with the city prefix gone and long forms shortened: variants compare equal."""
    key = re.sub(r"[（(][^）)]*[）)]", "", name)
    key = re.sub(r"^(中山|[\u3400-\u9fff]{2,3}市)?(市|区|县)?", "", key, count=1)
    for long, short in SHORT_FORMS:
        key = key.replace(long, short)
    return key


@dataclass(frozen=True)
class MappedName:
    name: str
    id: str
    known: bool
    group: bool


def pinyin_id(name: str, taken: set[str]) -> str:
    """市水务局 -> shuiwuju; an id not in ``taken``."""
    from pypinyin import lazy_pinyin  # 0.5 s to import: only when a name is new

    stem = re.sub(r"^(市|区|县)", "", re.sub(r"[（(][^）)]*[）)]", "", name)) or name
    letters = "".join(lazy_pinyin(stem, errors="ignore"))
    base = re.sub(r"[^a-z0-9]", "", letters.lower().replace("ü", "v")) or "unit"
    if not base[0].isalpha():
        base = "u" + base
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}_{n}", n + 1
    taken.add(ident)
    return ident


class UnitMap:
    """Names to ids against a schedule (or none), new ids made as names come."""

    def __init__(self, schedule: Schedule | None):
        self.schedule = schedule
        units = schedule.units if schedule else ()
        groups = schedule.groups if schedule else ()
        self._exact = {u.name: u.id for u in units}
        keys: dict[str, list[str]] = {}
        for unit in units:
            keys.setdefault(name_key(unit.name), []).append(unit.id)
        self._keys = {k: v[0] for k, v in keys.items() if len(v) == 1}
        self._groups = {g.name: g.id for g in groups}
        self._taken = {u.id for u in units} | {g.id for g in groups}
        self.mapped: dict[str, MappedName] = {}

    def _group_for(self, name: str) -> str | None:
        if name in self._groups:
            return self._groups[name]
        for canonical, variants in GROUP_VARIANTS.items():
            if name in variants and canonical in self._groups:
                return self._groups[canonical]
        return None

    def map(self, name: str) -> MappedName:
        if name in self.mapped:
            return self.mapped[name]
        group = is_collective(name)
        ident = self._group_for(name) if group else None
        if ident is None and not group:
            ident = self._exact.get(name) or self._keys.get(name_key(name))
        known = ident is not None
        if ident is None:
            ident = pinyin_id(name, self._taken)
        result = MappedName(name, ident, known, group)
        self.mapped[name] = result
        return result
