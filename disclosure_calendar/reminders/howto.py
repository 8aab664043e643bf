"""What a reminder says about reporting a publication: never a command for a unit's staff.

Where the portal runs (a secret and a plan.base_url), the unit opens its own link (the
e-mail's 查看并标记完成, or one asked from the coordinator); without it, the unit tells the
coordinator the publication's address and 登记编号. A chat group may be wider than the unit,
so chat messages never carry the link itself, only these words.
"""

from __future__ import annotations


def how(*, to_coordinator: bool, portal: bool, coordinator: str) -> str:
    """The closing line of a reminder without a link of its own (chat, or no portal)."""
    if to_coordinator and not portal:
        return "如何登记完成：各单位公开后将发布链接和登记编号报协调人，登记完成后不再提醒。"
    if not portal:
        return f"如何登记完成：公开后请将发布链接和登记编号告知{coordinator}，由其登记；登记后不再提醒。"
    if to_coordinator:
        return (
            "如何登记完成：请打开发给协调人的专属链接（见提醒邮件），进入协调人工作台，"
            "可查看各单位完成情况，并进入任一单位页面代为登记；登记后不再提醒。"
        )
    return (
        "如何登记完成：公开后请打开本单位的专属链接（见提醒邮件；没有的请向"
        f"{coordinator}索取），填写发布网址登记完成；登记后不再提醒。"
    )


def what_the_link_opens(*, to_coordinator: bool) -> str:
    """Said beside the e-mail's link: the coordinator's opens the dashboard, a unit's its page."""
    if to_coordinator:
        return (
            "打开链接即进入协调人工作台，可查看各单位完成情况，并进入任一单位页面代为登记；"
            "登记后不再提醒。"
        )
    return "打开链接即可查看本单位的全部事项；公开后填写发布网址登记完成，登记后不再提醒。"
