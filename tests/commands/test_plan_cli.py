"""`plan import` as a user runs it: the seed to a draft that validates and builds; bad input
as one Chinese sentence and exit 1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from tests.planning.makers import PAGE, typst_pdf

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ROOT / "schedule.yaml"
SEED = ROOT / "tests" / "data" / "seed_plan.txt"


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, ["-f", str(SCHEDULE), *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_seed_drafts_a_schedule_that_validates_and_builds(tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    code, out, err = run("plan", "import", str(SEED), "-o", str(draft))
    assert code == 0, err
    assert out == ""
    assert "114 tasks in 22 sections, 3 duties of the preamble" in err
    assert f"wrote {draft}" in err
    result = CliRunner().invoke(cli.main, ["-f", str(draft), "validate"])
    assert result.exit_code == 0, result.output
    assert re.search(r"2 plans: zs2017: 1[23]\d duties, regulations: 4 duties", result.output)
    result = CliRunner().invoke(cli.main, ["-f", str(draft), "build", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "finance.ics").read_text(encoding="utf-8").count("BEGIN:VEVENT") > 10


def test_json_from_standard_input_in_gbk() -> None:
    text = "某某市2021年政务公开工作要点\n一、推进公开\n1.按月公开财政收支。（市财政局负责）\n"
    code, out, err = run("--lang", "zh", "plan", "import", "-", "--json", stdin=text.encode("gbk"))
    assert code == 0, err
    body = json.loads(out)
    assert body["title"] == "某某市2021年政务公开工作要点"
    assert [(t["ref"], t["lead_units"], t["unit_ids"], t["cadence"]) for t in body["tasks"]] == [
        ("1.1", ["市财政局"], ["finance"], "monthly")
    ]
    assert "共 1 个部分 1 项任务" in err


def test_without_a_schedule_every_unit_is_new(tmp_path: Path) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text("一、推进公开\n1.按月公开财政收支。（市财政局负责）\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli.main, ["-f", str(tmp_path / "none.yaml"), "plan", "import", str(plan)]
    )
    assert result.exit_code == 0, result.output
    assert "- {id: caizhengju, name: 市财政局}  # 待确认：新单位" in result.stdout


def chinese_error(path: Path) -> str:
    """The command's whole output for ``path``, in Chinese, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISCLOSURE_CALENDAR_LANG": "zh"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "-f", str(SCHEDULE), "plan", "import", str(path)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.txt", b"", "empty.txt：文件是空的"),
        ("photo.bin", bytes(range(256)) * 64, "photo.bin：不是本工具能读取的文件"),
        (
            "notice.txt",
            "关于放假的通知\n各单位：\n请注意安全。\n".encode(),
            "notice.txt：没有找到任务",
        ),
        (
            "nounits.txt",
            "一、加强公开\n1.及时公开政策。\n".encode(),
            "nounits.txt：没有一项任务写明由哪个单位负责",
        ),
    ],
)
def test_bad_input_is_one_chinese_sentence(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert chinese_error(path).startswith(f"错误：{path.parent}/{expected}")


def test_a_scan_and_a_50_mb_file(tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(typst_pdf(PAGE + "#rect(width: 10cm, height: 15cm, fill: gray)\n"))
    assert "scan.pdf：这个 PDF 只有图像、没有文字（可能是扫描件）" in chinese_error(scan)
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB of nothing, written in no time
    assert "big.txt：文件超过 20 MB，方案文件不会这么大，请确认是否选错了文件" in chinese_error(big)
