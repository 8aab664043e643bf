"""A plan with one monthly duty for many units, each unit with its own mailbox.

Shared by the ledger tests and bench/bench_ledger.py: March's report is due on the fifth
working day of April (8 April 2026), so ``remind --at 2026-04-08T09:00`` sends one mail per
unit.
"""

from __future__ import annotations

from pathlib import Path


def write_big_plan(
    folder: Path, units: int, smtp_port: int, timeout: int = 30
) -> tuple[Path, Path]:
    """schedule.yaml and a contacts file (named after the SMTP port) in ``folder``."""
    ids = [f"u{i:05d}" for i in range(units)]
    schedule, contacts = folder / "s.yaml", folder / f"c{smtp_port}.yaml"
    plan = [
        "version: 1",
        "plan: {title: 基准方案, issuer: 市政府办公室, issued: 2026-01-01,",
        "       timezone: Asia/Shanghai, source: bench, uid_domain: bench.example}",
        "defaults: {reminders: [1], remind_at: '09:00'}",
        "units:",
        *(f"  - {{id: {u}, name: 单位{u}}}" for u in ids),
        "groups:",
        f"  - {{id: all, name: 全体, members: [{', '.join(ids)}]}}",
        "duties:",
        "  - {id: d, ref: '1.1', title: 事项, text: 按月公开。, units: [all],",
        "     cadence: monthly, basis: 按月, due: {rule: workdays_after_period, n: 5}}",
    ]
    schedule.write_text("\n".join(plan) + "\n", encoding="utf-8")
    mail = [
        "version: 1",
        f"smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none, timeout: {timeout}}}",
        "units:",
        *(f"  {u}: [{{type: email, to: [{u}@example.gov.cn]}}]" for u in ids),
    ]
    contacts.write_text("\n".join(mail) + "\n", encoding="utf-8")
    return schedule, contacts
