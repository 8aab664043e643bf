"""The notice's editable words: ``report.yaml`` beside schedule.yaml.

The coordinator edits the 下一步要求 paragraphs, the addressees, the signature and the
版记 (抄送, 印发机关) there; without the file, or without a key, the defaults below apply
and the 版记 lines stay blank for a hand to fill in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..schedule.yamlsource import Checker, compose

FILE_NAME = "report.yaml"

DEFAULT_REQUIREMENTS = (
    "各单位要对照本通报，逐项梳理逾期未完成事项，明确责任人和完成时限，"
    "尽快完成公开并在公开后及时标记完成。",
    "各单位主要负责人要切实履行政务公开工作第一责任人职责，"
    "把按时公开作为日常工作的重要内容，防止同类问题反复出现。",
    "市政府办公室将持续跟踪各单位政务公开工作落实情况，"
    "按季度通报，并将通报结果纳入年度政务公开工作考核。",
)

EXAMPLE = """\
# 通报（disclosure-calendar report）的可编辑部分，与 schedule.yaml 放在同一文件夹。
# 每一项都可省略：省略时用默认文字，版记的抄送、印发机关留空。
addressees: 各镇人民政府，市各有关单位        # 主送机关（结尾的冒号自动加上）
signature: 中山市人民政府办公室              # 发文机关署名（默认：schedule.yaml 的 plan.issuer）
copy_to: 市委办公室，市人大常委会办公室      # 版记：抄送
printed_by: 中山市人民政府办公室            # 版记：印发机关（印发日期为通报日期）
requirements:                              # 下一步要求，每项一段
  - 各单位要对照本通报，逐项梳理逾期未完成事项，明确责任人和完成时限。
  - 市政府办公室将持续跟踪，按季度通报。
"""


@dataclass(frozen=True)
class ReportSettings:
    addressees: str = "各有关单位"
    signature: str | None = None  # None: the plan's issuer
    copy_to: str | None = None
    printed_by: str | None = None
    requirements: tuple[str, ...] = DEFAULT_REQUIREMENTS


def settings_path(schedule_path: Path) -> Path:
    return schedule_path.parent / FILE_NAME


def load_settings(schedule_path: Path) -> ReportSettings:
    """The settings beside ``schedule_path``; the defaults when there is no such file."""
    path = settings_path(schedule_path)
    if not path.is_file():
        return ReportSettings()
    root, _digest = compose(path)
    c = Checker(str(path))
    keys = ("addressees", "signature", "copy_to", "printed_by", "requirements")
    found = c.mapping(root, FILE_NAME, optional=keys) or {}
    texts: dict[str, str | None] = {}
    for key in keys[:-1]:
        node = found.get(key)
        texts[key] = c.string(node, key) if node is not None else None
    requirements: tuple[str, ...] = DEFAULT_REQUIREMENTS
    node = found.get("requirements")
    if node is not None:
        paragraphs = [c.string(item, "requirements") for item in c.sequence(node, "requirements")]
        requirements = tuple(p.strip() for p in paragraphs if p)
    c.raise_if_any()
    return ReportSettings(
        addressees=(texts["addressees"] or "各有关单位").rstrip("：:"),
        signature=texts["signature"],
        copy_to=texts["copy_to"],
        printed_by=texts["printed_by"],
        requirements=requirements,
    )
