"""Where the Noto CJK font files are: where Debian's fonts-noto-cjk puts them, else fc-match.

Shared by the printed calendars and the notice (``printing``, ``reports``): both set
Chinese only in the fonts the project installs, never in whatever a machine has.
"""

from __future__ import annotations

from pathlib import Path

from .errors import DisclosureError

FONT_DIR = Path("/usr/share/fonts/opentype/noto")


def find_font_file(file_name: str, family: str, style: str) -> Path:
    """``FONT_DIR/file_name``, or the file fc-match gives for ``family:style`` if it is
    the same font (a file named like ``file_name``); a DisclosureError saying what to install."""
    path = FONT_DIR / file_name
    if path.is_file():
        return path
    found = fc_match(family, style, file_name.split("-")[0])
    if found is not None and found.is_file():
        return found
    raise DisclosureError(
        f"font {family!r} ({style}) not found: looked for {path} and asked fc-match; "
        "install the Debian package fonts-noto-cjk (.ci/system-deps does)"
    )


def fc_match(family: str, style: str, stem: str) -> Path | None:
    """fc-match's file for ``family:style``, if its name starts with ``stem``."""
    # Imported here: validate finds the fonts where Debian puts them, and these two modules
    # were 5% of its time.
    import shutil
    import subprocess

    if shutil.which("fc-match") is None:
        return None
    result = subprocess.run(
        ["fc-match", "--format=%{file}", f"{family}:style={style}"],
        capture_output=True,
        text=True,
        check=False,
    )
    # fc-match always answers with some font: accept only the family we asked for.
    path = Path(result.stdout.strip())
    return path if result.returncode == 0 and path.name.startswith(stem) else None
