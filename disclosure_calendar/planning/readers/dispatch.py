"""Which reader reads a file: by its first bytes, then by its name; and what no reader can."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ...core.errors import DisclosureError
from ...core.i18n import gettext as _
from ..document import Document

KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "html": "HTML",
    "text": "text",
}
SUFFIX_KINDS = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}
MAX_BYTES = 20 * 1024 * 1024  # the largest plan we read: a long plan in Word is 1-3 MB


def read_bytes(data: bytes, source: str) -> Document:
    """The document in ``data`` (the contents of ``source``)."""
    if not data.strip():
        raise DisclosureError(_("{source}: the file is empty").format(source=source))
    if len(data) > MAX_BYTES:
        raise DisclosureError(
            _(
                "{source}: the file is over {limit} MB, more than a plan ever is; is it the right file?"
            ).format(source=source, limit=MAX_BYTES // (1024 * 1024))
        )
    suffix = Path(source).suffix.lower()
    kind = SUFFIX_KINDS.get(suffix)  # what the name says, until the bytes say more
    try:
        kind = _kind(data, suffix)
        return _read(data, source, suffix, kind)
    except DisclosureError:
        raise
    except Exception as exc:  # a damaged file: whatever zipfile or the format's library raises
        reason = type(exc).__name__
        if kind in KIND_NAMES:
            message = _("{source}: the file is damaged or not a {kind} file ({reason})")
            raise DisclosureError(
                message.format(source=source, kind=KIND_NAMES[kind], reason=reason)
            ) from None
        message = _("{source}: the file is damaged or not a document this tool reads ({reason})")
        raise DisclosureError(message.format(source=source, reason=reason)) from None


def _read(data: bytes, source: str, suffix: str, kind: str | None) -> Document:
    if kind == "pdf":
        from .pdf import read_pdf

        doc = read_pdf(data, source)
        if not doc.has_text:
            raise DisclosureError(
                _(
                    "{source}: the PDF holds no text, only images (a scan?); run it through text recognition (OCR) or use the Word or web version of the plan"
                ).format(source=source)
            )
        return doc
    if kind == "docx":
        from .docx import read_docx

        return read_docx(data, source)
    if kind == "xlsx":
        from .xlsx import read_xlsx

        return read_xlsx(data, source)
    if kind == "legacy":
        from .legacy import read_legacy

        return read_legacy(data, source, suffix or ".doc")
    if kind == "html":
        from .html import read_html

        return read_html(data, source)
    if kind == "text":
        from .text import read_text

        return read_text(data, source)
    raise DisclosureError(
        _(
            "{source}: not a document this tool reads (text, .docx, .xlsx, .pdf, .html, .doc, .wps)"
        ).format(source=source)
    )


def _kind(data: bytes, suffix: str) -> str | None:
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .doc, .wps, .xls
        return "legacy" if suffix in (".doc", ".wps", "") else None
    sample = data[:4096].lstrip().lower()
    if (
        suffix in (".html", ".htm", ".shtml")
        or sample.startswith((b"<!doctype html", b"<html"))
        or b"<body" in sample
    ):
        return "html"
    if _is_text(data):
        return "text"
    return None


def _is_text(data: bytes) -> bool:
    """Text in UTF-8, UTF-16 or GB18030: no NUL bytes (outside UTF-16), few control bytes."""
    sample = data[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(sample) // 100
