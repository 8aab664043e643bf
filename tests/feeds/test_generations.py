"""A build replaces the folder's feeds as one set, however it ends (feeds/generations.py).

The kill test is the defect as found (issue 31, item 14): `build` run as a user runs it, killed
with SIGKILL at random moments, the folder read as a web server reads it after each kill.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from bigplan import write_big_plan

from disclosure_calendar.feeds.generations import CURRENT, GENERATIONS
from disclosure_calendar.feeds.manifest import INPUTS

ROOT = Path(__file__).resolve().parents[2]
TITLE, OTHER = "基准方案", "基准方案乙"  # the plan's title is in every feed and index.html


def build(schedule: Path, out: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "-f", str(schedule), "build", "-o", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def titles(out: Path) -> dict[str, str]:
    """Published name -> which plan title its content carries, read through the names."""
    found = {}
    for path in out.iterdir():
        if path.name.endswith(".ics") or path.name == "index.html":
            text = path.read_text(encoding="utf-8")  # a dangling name fails here
            found[path.name] = OTHER if OTHER in text else TITLE
    return found


def leftovers(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.tmp"))


def test_kill_9_at_random_moments_leaves_one_generation(tmp_path: Path) -> None:
    schedule, _contacts = write_big_plan(tmp_path, 300, 2525)
    out = tmp_path / "out"
    plain = schedule.read_text(encoding="utf-8")
    assert build(schedule, out).wait() == 0
    # How long a rebuild with a new title takes here and now: the kills land within it, so
    # most builds are killed on an idle machine as on a busy one (fixed sleeps killed only 4
    # of 14 once, on an idle CI machine).
    schedule.write_text(plain.replace(TITLE, OTHER), "utf-8")
    started = time.monotonic()
    assert build(schedule, out).wait() == 0
    took = time.monotonic() - started
    rng = random.Random(30)
    kills = 0
    for n in range(14):
        last = TITLE if n % 2 == 0 else OTHER
        schedule.write_text(plain.replace(TITLE, last), "utf-8")
        process = build(schedule, out)
        time.sleep(rng.uniform(0.05, 0.9) * took)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        seen = titles(out)
        assert len(seen) == 302  # 300 units, all.ics, index.html: none lost
        assert len(set(seen.values())) == 1, f"kill {n}: feeds of two builds: {seen}"
    assert kills >= 5  # most builds were killed, at different moments
    # A complete build publishes the last schedule and removes what the killed ones left.
    assert build(schedule, out).wait() == 0
    assert set(titles(out).values()) == {last}
    assert leftovers(out) == []
    assert len(list((out / GENERATIONS).iterdir())) <= 2  # the current and the one before


def test_a_folder_of_regular_files_is_moved_in_unchanged(tmp_path: Path) -> None:
    """A folder built before generations: its files are published from a first generation
    with their bytes, inodes and mtimes (clients keep their ETags), then built over."""
    schedule, _contacts = write_big_plan(tmp_path, 3, 2525)
    out = tmp_path / "out"
    assert build(schedule, out).wait() == 0
    # Turn it into what an older build left: regular files, no generations, a stale temp file.
    for path in list(out.iterdir()):
        if path.is_symlink() and path.name != CURRENT:
            data = path.read_bytes()
            path.unlink()
            path.write_bytes(data)
    (out / CURRENT).unlink()
    for folder in (out / GENERATIONS).iterdir():
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    (out / GENERATIONS).rmdir()
    (out / ".u00001.ics.0123456789ab.tmp").write_bytes(b"half a feed")
    (out / "2026-all.pdf").write_bytes(b"%PDF-1.7\n")  # `print`'s: never touched
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}

    assert build(schedule, out).wait() == 0  # nothing changed: migrated, no new feed
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir() if p.is_file()}
    del before[".u00001.ics.0123456789ab.tmp"], before[INPUTS], after[INPUTS]  # a local cache
    assert after == before
    assert leftovers(out) == []
    assert os.readlink(out / "all.ics") == f"{CURRENT}/all.ics"
    assert not (out / "2026-all.pdf").is_symlink()

    schedule.write_text(schedule.read_text("utf-8").replace(TITLE, OTHER), "utf-8")
    assert build(schedule, out).wait() == 0
    assert set(titles(out).values()) == {OTHER}
    assert (out / "2026-all.pdf").read_bytes() == b"%PDF-1.7\n"


def test_a_removed_unit_leaves_no_name_behind(tmp_path: Path) -> None:
    schedule, _contacts = write_big_plan(tmp_path, 3, 2525)
    out = tmp_path / "out"
    assert build(schedule, out).wait() == 0
    first = os.readlink(out / CURRENT)
    text = schedule.read_text("utf-8")
    schedule.write_text(
        text.replace("  - {id: u00002, name: 单位u00002}\n", "").replace(", u00002]", "]"),
        "utf-8",
    )
    assert build(schedule, out).wait() == 0
    assert not os.path.lexists(out / "u00002.ics")
    assert (out / "u00001.ics").exists()
    # The previous generation stays for readers that resolved a path into it a moment ago.
    assert (out / first / "u00002.ics").exists()


def published(folder: Path) -> dict[str, bytes]:
    """What a web server hands out: every feed and the index, read through their names."""
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.name.endswith(".ics") or p.name == "index.html"
    }


def test_the_copies_readme_names_for_publishing_give_working_files(tmp_path: Path) -> None:
    """README "Publishing out/": the whole folder with its dot files keeps working links, also
    copied again after the next build; cp -L of the names gives regular files; out/* does not."""
    schedule, _contacts = write_big_plan(tmp_path, 3, 2525)
    out = tmp_path / "out"
    assert build(schedule, out).wait() == 0

    def sh(command: str) -> None:
        subprocess.run(command, shell=True, check=True, cwd=tmp_path)

    sh("mkdir www && cp -a out/. www/")
    assert published(tmp_path / "www") == published(out) != {}
    schedule.write_text(schedule.read_text("utf-8").replace(TITLE, OTHER), "utf-8")
    assert build(schedule, out).wait() == 0
    sh("cp -a out/. www/")  # the next deployment over the last
    assert published(tmp_path / "www") == published(out)
    assert set(titles(tmp_path / "www").values()) == {OTHER}

    sh("mkdir plain && cp -L out/*.ics out/index.html plain/")
    assert published(tmp_path / "plain") == published(out)
    assert not any(p.is_symlink() or p.name.startswith(".") for p in (tmp_path / "plain").iterdir())

    sh("mkdir wrong && cp -r out/* wrong/")  # the shell's * leaves out .current: links to nothing
    assert not (tmp_path / "wrong" / "all.ics").exists()
    assert (tmp_path / "wrong" / "all.ics").is_symlink()
