"""Input no reader can use: one sentence naming the file and what to do, never a traceback."""

from __future__ import annotations

import shutil

import pytest

from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.planning import import_plan
from disclosure_calendar.planning.readers.dispatch import MAX_BYTES, read_bytes
from tests.planning.makers import PAGE, typst_pdf

CASES = {
    "empty": (b"", "plan.txt", "plan.txt: the file is empty"),
    "blank": (b" \n\n \r\n", "plan.txt", "plan.txt: the file is empty"),
    "binary": (bytes(range(256)) * 40, "plan.bin", "plan.bin: not a document this tool reads"),
    "image": (
        b"\x89PNG\r\n\x1a\n" + bytes(2000),
        "plan.png",
        "plan.png: not a document this tool reads",
    ),
    "zip": (b"PK\x03\x04" + bytes(100), "plan.docx", "plan.docx: not a document this tool reads"),
    "damaged pdf": (
        b"%PDF-1.7\n" + bytes(100),
        "plan.pdf",
        "plan.pdf: the file is damaged or not a PDF file",
    ),
    "too big": (
        b"a" * (MAX_BYTES + 1),
        "plan.txt",
        "plan.txt: the file is over 20 MB, more than a plan ever is",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_unreadable_files(case: str) -> None:
    data, name, message = CASES[case]
    with pytest.raises(DisclosureError) as caught:
        read_bytes(data, name)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_scanned_pdf_without_text() -> None:
    pdf = typst_pdf(PAGE + "#rect(width: 10cm, height: 15cm, fill: gray)\n")
    with pytest.raises(DisclosureError, match="plan.pdf: the PDF holds no text, only images"):
        read_bytes(pdf, "plan.pdf")


def test_a_document_without_units_or_tasks(tmp_path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text("关于做好春节放假的通知\n各单位：\n春节期间请注意安全。\n", encoding="utf-8")
    with pytest.raises(DisclosureError, match="no tasks found"):
        import_plan(path, None, today=__import__("datetime").date(2026, 1, 1))
    path.write_text("一、加强公开\n1.及时公开政策文件。\n2.按月公开财政数据。\n", encoding="utf-8")
    with pytest.raises(DisclosureError, match="no unit is named for any task"):
        import_plan(path, None, today=__import__("datetime").date(2026, 1, 1))


def test_old_word_files_without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # as on a machine without LibreOffice
    with pytest.raises(DisclosureError, match="plan.wps: a .wps file needs LibreOffice"):
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "plan.wps")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_old_word_files_with_libreoffice(tmp_path) -> None:
    """A .doc made by LibreOffice from a Word file we write, read back through it."""
    import subprocess

    import docx

    from disclosure_calendar.planning import recognise

    document = docx.Document()
    for line in PROSE_LINES:
        document.add_paragraph(line)
    document.save(tmp_path / "plan.docx")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(tmp_path / "plan.docx")],
        check=True, capture_output=True, timeout=120, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    plan = recognise(read_bytes((tmp_path / "plan.doc").read_bytes(), "plan.doc"))
    assert [(t.ref, t.lead_units) for t in plan.tasks] == [
        ("1.1", ("市财政局",)),
        ("1.2", ("市审计局",)),
    ]


PROSE_LINES = [
    "某某市2020年政务公开工作要点",
    "一、推进财政信息公开",
    "（一）按月公开全市一般公共预算收支情况。（市财政局负责）",
    "（二）每年公开审计工作报告。（市审计局负责）",
]


def _zip_with_central_entry(change: str) -> bytes:
    """A small zip whose central directory entry is damaged as hypothesis once found: a name
    flagged UTF-8 that is not (UnicodeDecodeError), or a 'version needed' of 7.8
    (NotImplementedError); zipfile raises neither as BadZipFile."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(buffer.getvalue())
    entry = data.index(b"PK\x01\x02")
    if change == "name":
        data[entry + 9] |= 0x08  # general purpose flags, high byte: bit 11, the name is UTF-8
        data[entry + 46] = 0x87  # the name's first byte: no UTF-8 starts with it
    else:
        data[entry + 6] = 78  # version needed to extract: 7.8
    return bytes(data)


@pytest.mark.parametrize("change", ["name", "version"])
@pytest.mark.parametrize("name", ["plan.xlsx", "plan.bin"])
def test_a_damaged_zip_directory_is_one_sentence(change: str, name: str) -> None:
    with pytest.raises(DisclosureError) as caught:
        read_bytes(_zip_with_central_entry(change), name)
    message = str(caught.value)
    assert message.startswith(f"{name}: the file is damaged or not a")
    assert "\n" not in message


def test_a_damaged_pdf_stream_prints_no_english_warnings(caplog: pytest.LogCaptureFixture) -> None:
    """pdfminer logs what it repairs ("Data-loss while decompressing corrupted data"); with no
    logging set up, Python printed that to the user's terminal in English."""
    import contextlib
    import logging

    from tests.planning.genre import DOCUMENTS

    _name, data = DOCUMENTS["asterisk.pdf"][0]()
    # the middle of every compressed stream flipped: each page's text now fails to inflate
    damaged = bytearray(data)
    start = 0
    while (start := data.find(b"stream\n", start)) != -1:
        end = data.find(b"endstream", start)
        middle = (start + end) // 2
        damaged[middle : middle + 8] = bytes(b ^ 0x5A for b in damaged[middle : middle + 8])
        start = end
    with caplog.at_level(logging.DEBUG), contextlib.suppress(DisclosureError):
        read_bytes(bytes(damaged), "plan.pdf")
    assert not [r for r in caplog.records if r.name.startswith("pdfminer")]
