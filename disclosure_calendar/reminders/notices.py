"""The coordinator's notice of delivery problems: which addresses refused reminders, in their words.

Pure, like messages.py: the service decides when to send it and ledgers it like any message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .contacts import COORDINATOR, Channel, Contacts
from .messages import MARKDOWN_LIMIT, Message, local_time_text

if TYPE_CHECKING:
    from ..schedule.model import Schedule


@dataclass(frozen=True)
class Refusal:
    """A recipient that refused a reminder for good, as the coordinator is told of it."""

    message: str
    addressee: str
    channel: str
    recipient: str
    answer: str


def render_refusals(
    refusals: Sequence[Refusal],
    channel: Channel,
    schedule: Schedule,
    contacts: Contacts,
    now: dt.datetime,
) -> Message:
    """The coordinator's notice of addresses that refused reminders: whom, and the server's words."""
    tz = ZoneInfo(schedule.plan.timezone)
    keys = sorted(f"{r.message}|{r.recipient}" for r in refusals)
    raw = "\n".join([COORDINATOR, channel.name, *keys]).encode("utf-8")
    mid = f"{hashlib.sha256(raw).hexdigest()[:32]}.problem@{schedule.plan.uid_domain}"

    def who(r: Refusal) -> str:
        return (
            contacts.coordinator_name if r.addressee == COORDINATOR else schedule.name(r.addressee)
        )

    subject = f"【政务公开提醒】投递失败：{len(refusals)}个地址拒收提醒"
    lines = [
        f"{contacts.coordinator_name}：",
        "",
        "以下提醒被对方服务器拒收，不会自动重发。请核对联系方式（contacts.yaml）后转告相关单位；"
        "改正后，可在门户的协调人工作台“投递问题”中点“重新发送被拒收的提醒”，或运行 disclosure-calendar remind --at <现在> "
        "--retry-failed 重发一次：",
        "",
    ]
    for n, r in enumerate(refusals, 1):
        lines += [f"{n}. {who(r)}（{r.channel}）：{r.recipient}", f"   服务器答复：{r.answer}"]
    lines += ["", f"本通知于{local_time_text(now, tz)}发出，由 disclosure-calendar 生成。"]
    text = "\n".join(lines) + "\n"
    page = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    page = f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>{page}</body></html>'
    markdown = "\n".join([f"### {subject}", *lines[2:]])
    if len(markdown.encode("utf-8")) > MARKDOWN_LIMIT:
        markdown = markdown.encode("utf-8")[: MARKDOWN_LIMIT - 60].decode("utf-8", "ignore")
        markdown = markdown.rsplit("\n", 1)[0] + "\n\n……（内容过长，完整清单见邮件）"
    return Message(mid, COORDINATOR, channel.name, now, subject, text, page, markdown)
