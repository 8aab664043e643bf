"""write_atomic: content given whole or in pieces, and the unchanged check that keeps mtimes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_calendar.core import files
from disclosure_calendar.core.files import write_atomic

PIECES = st.lists(st.binary(max_size=12), max_size=40)


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Blocks of a few bytes, so short test data crosses every join and read boundary.
    monkeypatch.setattr(files, "_PIECES", 3)
    monkeypatch.setattr(files, "_CHUNK", 5)


@settings(max_examples=200, deadline=None)
@given(pieces=PIECES, old=st.none() | st.binary(max_size=60), join=st.booleans())
def test_pieces_write_their_join_and_report_change_exactly(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[bytes], old: bytes | None, join: bool
) -> None:
    path = tmp_path_factory.mktemp("w") / "feed.ics"
    if old is not None:
        path.write_bytes(old)
    content = b"".join(pieces)
    assert write_atomic(path, pieces, sync=False, join=join) == (old != content)
    assert path.read_bytes() == content
    assert not write_atomic(path, pieces, sync=False)  # now unchanged: not rewritten
    assert not write_atomic(path, content, sync=False)


def test_a_one_byte_edit_anywhere_is_seen(tmp_path: Path) -> None:
    pieces = [b"BEGIN:VCALENDAR\r\n", b"", b"X" * 17, b"\xe4\xb8\xad", b"END:VCALENDAR\r\n"]
    content = b"".join(pieces)
    path = tmp_path / "feed.ics"
    for i in range(len(content)):
        edited = bytearray(content)
        edited[i] ^= 0x01
        path.write_bytes(bytes(edited))
        assert write_atomic(path, pieces), i
        assert path.read_bytes() == content
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
