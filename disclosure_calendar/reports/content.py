"""What the notice says: its blocks of text and tables, as a function of the figures.

The words are the office's (the notice is always in Chinese, whatever ``--lang``): a 通报
drafted in the form the coordinator sends. The writers (``docx``, ``pdf``) only lay the
blocks out, so both formats say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .figures import Figures, OverdueItem, Totals, UnitFigures, chinese_date
from .settings import ReportSettings

PROVISIONAL_MARK = "（暂定）"
CHINESE_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph in one of the layout's styles."""

    style: str  # title | addressees | body | h1 | h2 | note | signature | date
    text: str


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # relative column widths
    aligns: str  # per column: c (centred), l (left), r (right)


@dataclass(frozen=True)
class Imprint:
    """The 版记: 抄送 and the 印发 line; blank where the settings say nothing."""

    copy_to: str
    printed_by: str
    printed_on: str


Block = Paragraph | Table | Imprint


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def notice_title(figures: Figures, scope_name: str | None = None) -> str:
    who = scope_name or ""
    return f"关于{who}{figures.period.words}政务公开工作落实情况的通报"


def notice_blocks(
    figures: Figures,
    settings: ReportSettings,
    *,
    plan_title: str,
    issuer: str,
    scope_name: str | None = None,
) -> list[Block]:
    """The whole notice, title to 版记."""
    as_of = figures.as_of
    blocks: list[Block] = [
        Paragraph("title", notice_title(figures, scope_name)),
        Paragraph("addressees", f"{settings.addressees}："),
        Paragraph("body", opening(figures, plan_title, scope_name)),
        Paragraph("h1", "一、总体情况"),
        *overall(figures),
        Paragraph("h1", "二、分单位情况"),
        *by_unit(figures),
        Paragraph("h1", "三、逾期未完成事项"),
        *overdue_part(figures),
        Paragraph("h1", "四、下一步要求"),
        *(Paragraph("body", text) for text in settings.requirements),
        Paragraph("signature", settings.signature or issuer),
        Paragraph("date", chinese_date(as_of)),
        Imprint(
            settings.copy_to or "",
            settings.printed_by or "",
            f"{chinese_date(as_of)}印发" if settings.printed_by else "",
        ),
    ]
    return blocks


def opening(figures: Figures, plan_title: str, scope_name: str | None) -> str:
    period = figures.period
    # A quarter or a year says its days; a range is its days already.
    days = (
        ""
        if period.kind == "range"
        else f"（{chinese_date(period.start)}至{chinese_date(period.end)}）"
    )
    who = scope_name or "各单位"
    return (
        f"根据《{plan_title}》的分工安排，现将{period.words}{days}{who}"
        "政务公开事项落实情况通报如下。"
    )


def overall(figures: Figures) -> list[Block]:
    t = figures.totals
    reached = sum(1 for u in figures.units if u.due or u.open)
    text = (
        f"{figures.period.words}，{reached}个单位共有{t.due + t.open}项公开事项到期或即将到期。"
        f"截至{chinese_date(figures.as_of)}，已到期{t.due}项，其中按时完成{t.on_time}项，"
        f"逾期完成{t.late}项，逾期未完成{t.overdue}项，按时完成率{percent(t.rate)}"
    )
    text += f"；另有{t.open}项尚未到期。" if t.open else "。"
    out: list[Block] = [
        Paragraph("body", text + compared(figures.period.previous().words, t, figures.previous))
    ]
    if figures.provisional:
        marked = any(i.provisional for i in figures.overdue)
        out.append(
            Paragraph(
                "note",
                f"注：本期有{figures.provisional}项事项的日期所依据的节假日安排尚未公布，"
                "系按规则推算，公布后可能调整"
                + (f"；逾期未完成事项中以“{PROVISIONAL_MARK}”标注。" if marked else "。"),
            )
        )
    return out


def compared(words: str, now: Totals, before: Totals | None) -> str:
    """A sentence comparing the on-time rate with the period before's."""
    if before is None or before.rate is None or now.rate is None:
        return f"上一期（{words}）无已到期事项，不作比较。"
    points = (now.rate - before.rate) * 100
    if abs(points) < 0.05:
        trend = "持平"
    elif points > 0:
        trend = f"上升{points:.1f}个百分点"
    else:
        trend = f"下降{-points:.1f}个百分点"
    return (
        f"上一期（{words}）已到期{before.due}项，按时完成{before.on_time}项，"
        f"逾期未完成{before.overdue}项，按时完成率{percent(before.rate)}；"
        f"本期按时完成率比上一期{trend}。"
    )


# Headers on two lines where they are long, so the unit's name keeps most of the width.
UNIT_HEADERS = (
    "序号", "单位", "已到期", "按时\n完成", "逾期\n完成", "逾期\n未完成", "未到期", "按时\n完成率",
)  # fmt: skip


def unit_table(ranked: list[UnitFigures]) -> Table:
    return Table(
        UNIT_HEADERS,
        tuple(
            (
                str(n),
                u.name,
                str(u.due),
                str(u.on_time),
                str(u.late),
                str(u.overdue),
                str(u.open),
                percent(u.rate),
            )
            for n, u in enumerate(ranked, 1)
        ),
        (3, 12, 4, 4, 4, 4, 4, 5),
        "clrrrrrr",
    )


def by_unit(figures: Figures) -> list[Block]:
    ranked, idle = figures.ranked, figures.idle
    out: list[Block] = [Paragraph("h2", "（一）按时完成率排名")]
    if ranked:
        out.append(
            Paragraph(
                "body",
                f"{len(ranked)}个单位本期有已到期事项，按按时完成率由高到低排列如下（"
                "按时完成率相同的，逾期未完成少的在前）：",
            )
        )
        out.append(unit_table(ranked))
    else:
        out.append(Paragraph("body", "本期各单位均无已到期事项。"))
    out.append(Paragraph("h2", "（二）本期无已到期事项的单位"))
    if idle:
        names = "、".join(u.name + (f"（{u.open}项尚未到期）" if u.open else "") for u in idle)
        out.append(Paragraph("body", f"共{len(idle)}个：{names}。"))
    else:
        out.append(Paragraph("body", "无。"))
    return out


OVERDUE_HEADERS = ("序号", "单位", "编号", "事项", "到期日期", "逾期\n工作日")


def due_words(item: OverdueItem) -> str:
    return item.due.isoformat() + (PROVISIONAL_MARK if item.provisional else "")


def overdue_table(items: tuple[OverdueItem, ...]) -> Table:
    return Table(
        OVERDUE_HEADERS,
        tuple(
            (
                str(n),
                i.name,
                i.ref,
                f"{i.title}（{i.period_words}）",
                due_words(i),
                str(i.workdays_overdue),
            )
            for n, i in enumerate(items, 1)
        ),
        (3, 9, 3, 15, 7, 4),
        "clclcr",
    )


def overdue_part(figures: Figures) -> list[Block]:
    as_of = chinese_date(figures.as_of)
    if not figures.overdue:
        return [Paragraph("body", f"截至{as_of}，本期无逾期未完成事项。")]
    units = len({i.unit for i in figures.overdue})
    return [
        Paragraph(
            "body",
            f"截至{as_of}，{units}个单位的{len(figures.overdue)}项事项已过期限仍未公开，"
            "按逾期时间由长到短列出如下，请有关单位抓紧完成：",
        ),
        overdue_table(figures.overdue),
    ]


def plain_text(blocks: list[Block]) -> str:
    """Every character the blocks show (for checking the fonts have them)."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Table):
            parts.extend(block.headers)
            parts.extend(cell for row in block.rows for cell in row)
        else:
            parts.extend(("抄送：", block.copy_to, block.printed_by, block.printed_on))
    return "\n".join(parts)
