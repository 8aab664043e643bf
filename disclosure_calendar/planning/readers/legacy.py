"""Old Word (.doc) and WPS (.wps) files: converted to .docx by LibreOffice, then read as one."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ...core.errors import DisclosureError
from ...core.i18n import gettext as _
from ..document import Document
from .docx import read_docx

TIMEOUT = 120


def read_legacy(data: bytes, source: str, suffix: str) -> Document:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise DisclosureError(
            _(
                "{source}: a {suffix} file needs LibreOffice to be read, and it is not installed; "
                "install it (apt-get install libreoffice-writer) or save the file as .docx in Word or WPS"
            ).format(source=source, suffix=suffix)
        )
    with tempfile.TemporaryDirectory() as folder:
        original = Path(folder) / f"plan{suffix}"
        original.write_bytes(data)
        try:
            subprocess.run(
                [soffice, "--headless", "--convert-to", "docx", "--outdir", folder, str(original)],
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
                env={"HOME": folder, "PATH": "/usr/bin:/bin"},
            )
        except subprocess.TimeoutExpired:
            converted = None
        converted = Path(folder) / "plan.docx"
        if not converted.is_file():
            raise DisclosureError(
                _(
                    "{source}: LibreOffice could not convert the file; save it as .docx and try again"
                ).format(source=source)
            )
        return read_docx(converted.read_bytes(), source)
