"""One notice in one format: the figures, the settings and the plan's names to bytes."""

from __future__ import annotations

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from .content import notice_blocks, notice_title
from .figures import Figures
from .settings import ReportSettings

FORMATS = ("docx", "pdf", "xlsx", "json")


def file_name(figures: Figures, fmt: str) -> str:
    """report-2026Q3.docx; with --unit, report-2026Q3-finance.docx."""
    scope = f"-{figures.scope}" if figures.scope else ""
    return f"report-{figures.period.code}{scope}.{fmt}"


def render_notice(
    figures: Figures,
    settings: ReportSettings,
    fmt: str,
    *,
    plan_title: str,
    issuer: str,
    scope_name: str | None = None,
) -> bytes:
    if fmt not in FORMATS:
        raise DisclosureError(
            _("unknown format {format!r} (expected {formats})").format(
                format=fmt, formats=", ".join(FORMATS)
            )
        )
    if fmt in ("json", "xlsx"):
        from .tables import figures_json, figures_xlsx

        return figures_json(figures).encode() + b"\n" if fmt == "json" else figures_xlsx(figures)
    blocks = notice_blocks(
        figures, settings, plan_title=plan_title, issuer=issuer, scope_name=scope_name
    )
    if fmt == "docx":
        from .docx_file import notice_docx

        return notice_docx(blocks)
    from .pdf_file import notice_pdf

    title = notice_title(figures, scope_name)
    return notice_pdf(blocks, title=title, author=settings.signature or issuer, date=figures.as_of)
