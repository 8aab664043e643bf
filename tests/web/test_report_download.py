"""The coordinator downloads the notice (通报) from the dashboard: the dashboard's year,
quarter and unit; the same figures as the command line; units cannot."""

from __future__ import annotations

import io
import json

from click.testing import CliRunner
from docx import Document
from test_portal import login, page
from webportal import Portal

import cli


def test_dashboard_links_to_the_notice(portal: Portal) -> None:
    coordinator = login(portal, None)
    status, html = page(portal, "/coordinator?year=2026&quarter=3", coordinator)
    assert status == 200
    assert "/coordinator/report.docx?year=2026&amp;quarter=3" in html
    assert "/coordinator/report.pdf?year=2026&amp;quarter=3" in html


def test_notice_downloads_as_docx_and_json(portal: Portal) -> None:
    coordinator = login(portal, None)
    assert page(portal, "/coordinator/report.docx", login(portal, "finance"))[0] == 403
    status, headers, body = portal.request(
        "/coordinator/report.docx?year=2026&quarter=3", {"Cookie": coordinator}
    )
    assert status == 200
    assert headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="report-2026Q3.docx"' in headers["Content-Disposition"]
    doc = Document(io.BytesIO(body))
    assert doc.paragraphs[0].text == "关于2026年第三季度政务公开工作落实情况的通报"
    status, _, body = portal.request(
        "/coordinator/report.json?year=2026&quarter=3", {"Cookie": coordinator}
    )
    served = json.loads(body)
    # The command line, on the same schedule, ledger and day, says the same.
    result = CliRunner().invoke(
        cli.main,
        [
            "-f",
            str(portal.schedule),
            "report",
            "--quarter",
            "2026Q3",
            "--format",
            "json",
            "--db",
            str(portal.db),
        ],  # fmt: skip
        env={"DISCLOSURE_CALENDAR_FAKE_CLOCK": portal.clock.now().isoformat()},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == served


def test_unknown_format_is_not_found(portal: Portal) -> None:
    coordinator = login(portal, None)
    assert page(portal, "/coordinator/report.odt?year=2026", coordinator)[0] == 404
