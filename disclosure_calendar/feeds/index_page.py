"""out/index.html: a plain Chinese page listing every feed with its subscribe links."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..schedule.model import Schedule
from ..schedule.reports import plans_in_force_words

if TYPE_CHECKING:
    from .summary import Feed

# A table on a screen; on a phone (390 px) each unit is a small card whose cells carry their
# column's name (data-label), so nothing is wider than the screen and names do not wrap
# one character per line.
_STYLE = (
    "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;margin:1em auto;"
    "padding:0 1em;max-width:64em;color:#222;line-height:1.5}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:left}td.n{text-align:right}td.name{white-space:nowrap}"
    "a{overflow-wrap:anywhere}"
    "@media (max-width:40em){thead{display:none}table,tbody,tr,td{display:block}"
    "tr{border:1px solid #ccc;border-radius:4px;margin:0 0 .6em;padding:.3em .6em}"
    "td{border:0;padding:.1em 0}td.n{text-align:left}td.name{font-weight:bold;font-size:1.05em}"
    "td[data-label]::before{content:attr(data-label) '：';color:#666}}"
)


def feed_links(base_url: str | None, file: str) -> tuple[str, str | None]:
    """The https:// (or relative) link to a feed and its webcal:// twin, if there is a host."""
    if not base_url:
        return file, None
    base = base_url if base_url.endswith("/") else base_url + "/"
    https = base + file
    parts = urlsplit(https)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return https, None
    return https, "webcal://" + https.split("://", 1)[1]


def render_index(
    schedule: Schedule,
    feeds: Sequence[Feed],
    base_url: str | None,
    years: tuple[int, int] | None = None,
) -> str:
    """The page, deterministic: no build time in it, so an unchanged build keeps its bytes.

    With several plans, it lists those in force in ``years`` (the years the feeds cover).
    """
    plan = schedule.plan
    plans: list[str] = []
    if len(schedule.plans) > 1:
        span = years or (plan.issued.year, plan.issued.year)
        items = [f"<li>{escape(w)}</li>" for w in plans_in_force_words(schedule, span)]
        plans = ["<p>本日历所列任务来自以下文件：</p>", "<ul>", *items, "</ul>"]
    rows = []
    for feed in feeds:
        https, webcal = feed_links(base_url, feed.file)
        subscribe = f'<a href="{escape(webcal)}">订阅（webcal）</a>' if webcal else "—"
        rows.append(
            "<tr>"
            f'<td class="name">{escape(feed.name)}</td>'
            f'<td data-label="代码"><code>{escape(feed.id)}</code></td>'
            f'<td class="n" data-label="任务数">{feed.duties}</td>'
            f'<td class="n" data-label="到期事项数">{feed.occurrences}</td>'
            f'<td data-label="订阅">{subscribe}</td>'
            f'<td data-label="下载"><a href="{escape(https)}">{escape(feed.file)}</a></td>'
            "</tr>"
        )
    title = escape(plan.title)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{title}：订阅日历</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            f"<h1>{title}</h1>",
            f"<p>{escape(plan.issuer)} {plan.issued.year}年{plan.issued.month}月"
            f"{plan.issued.day}日印发。各单位订阅本单位的日历，即可在到期日前按工作日收到提醒。</p>",
            *plans,
            "<p>在 Outlook、苹果日历、手机日历中选择“订阅日历”或“从网址添加”，"
            "粘贴下表中的链接；日历每12小时自动更新。“全部单位”日历中，集体承担的任务只列一次。</p>",
            "<table>",
            "<thead><tr><th>单位</th><th>代码</th><th>任务数</th><th>到期事项数</th>"
            "<th>订阅</th><th>下载</th></tr></thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
            "<p>标有“［暂定］”的日期所依据年份的国务院节假日安排尚未公布，公布后可能调整。</p>",
            "</body>",
            "</html>",
            "",
        ]
    )
