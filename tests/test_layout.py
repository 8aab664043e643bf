"""The package's shape: data flows one way, stage by stage, and no module imports in a circle.

Every import counts, also those inside functions and under ``if TYPE_CHECKING``: a lazy
import is still a dependency, and a type-only one still ties the lower stage to the higher.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "disclosure_calendar"
# A stage may import its own modules and those of lower ranks; stages of one rank (the
# outputs) never import each other. A stage listed here may not exist yet (planning, reports).
RANK = {
    "core": 0,
    "workdays": 1,
    "schedule": 2,
    "ledger": 3,
    "planning": 3,
    "occurrences": 4,
    "feeds": 5,
    "printing": 5,
    "reminders": 5,
    "reports": 5,
    "web": 6,
    "commands": 7,
}
# A module longer than this is split by what it does; generated data is exempt.
MAX_LINES = 450
GENERATED = {
    "disclosure_calendar.workdays.holiday_data",
    "disclosure_calendar.workdays.provisional_data",
}
CLI_MAX_LINES = 150


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``name`` imports (a package's ``__init__`` counts as the package)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            # ``from . import calendar`` names the submodule; ``from .x import y`` names x.
            submodules = [f"{target}.{a.name}" for a in node.names]
            candidates = [m for m in submodules if m in known] or [target]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found.update(c for c in candidates if c in known and c != name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_module_belongs_to_a_known_stage():
    unknown = sorted({stage(m) for m in modules()} - set(RANK) - {None})
    assert not unknown, f"subpackages without a stage rank: {unknown}"


def test_no_module_is_too_long():
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()
    }
    long = sorted(
        f"{n}: {k} lines" for n, k in lengths.items() if k > MAX_LINES and n not in GENERATED
    )
    assert not long, f"modules over {MAX_LINES} lines (split them):\n" + "\n".join(long)
    cli = len((ROOT / "cli.py").read_text(encoding="utf-8").splitlines())
    assert cli < CLI_MAX_LINES, (
        f"cli.py has {cli} lines: commands go in disclosure_calendar/commands/"
    )


@pytest.mark.parametrize("name", sorted(modules()))
def test_every_module_imports(name):
    importlib.import_module(name)


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Imports from a stage to one of the same or a higher rank (siblings included)."""
    wrong = []
    for module, targets in edges.items():
        here = stage(module)
        for target in targets:
            there = stage(target)
            if here is None or there is None or here == there:
                continue
            if RANK[there] >= RANK[here]:
                wrong.append(f"{module} -> {target}")
    return sorted(wrong)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    return found


def test_lower_stages_never_import_higher_ones():
    wrong = upward(graph())
    assert not wrong, "imports against the data flow:\n" + "\n".join(wrong)


def test_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_checks_catch_a_planted_upward_import_and_cycle(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..feeds.build import Renderer\n"
        "def later():\n    from . import calendar\n"
    )
    name = "disclosure_calendar.workdays.probe"
    found = imports_of(name, probe, {*modules(), name})
    assert found == {"disclosure_calendar.feeds.build", "disclosure_calendar.workdays.calendar"}
    assert upward({name: found}) == [f"{name} -> disclosure_calendar.feeds.build"]
    assert cycles({"a.x": {"a.y"}, "a.y": {"a.x"}}) == [["a.x", "a.y", "a.x"]]


def test_the_public_api_comes_from_short_paths():
    import disclosure_calendar as dc

    schedule = dc.load_schedule(Path(__file__).parent / "data" / "minimal.yaml")
    cal = dc.ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    import datetime as dt

    occurrences = dc.expand(schedule, cal, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert occurrences and all(isinstance(o, dc.Occurrence) for o in occurrences)
    assert callable(dc.build_feeds) and callable(dc.write_calendars)
    with pytest.raises(AttributeError):
        _ = dc.no_such_name


def test_validating_loads_no_output_stage():
    """Importing the loader must not drag in the renderers (start-up time of validate)."""
    code = (
        "import sys, disclosure_calendar as dc; dc.load_schedule; "
        "print(sorted(m for m in sys.modules if m.split('.')[1:2] in "
        "(['feeds'], ['printing'], ['reminders'], ['web'])))"
    )
    assert _last_line(code) == "[]"


def test_validate_loads_no_renderer():
    """validate checks the print font's coverage, but never loads Jinja2, Typst or the feeds,
    nor the spreadsheets and file writing of other commands, nor fc-match's subprocess (the
    font is where Debian puts it)."""
    code = (
        "import sys; from cli import main\n"
        "try:\n    main(['validate'], standalone_mode=False)\nfinally:\n"
        "    print(sorted(m for m in ('jinja2', 'typst', 'fontTools', 'starlette',\n"
        "        'disclosure_calendar.printing.render', 'disclosure_calendar.feeds',\n"
        "        'disclosure_calendar.ledger.store', 'sqlalchemy', 'disclosure_calendar.core.sheets',\n"
        "        'tempfile', 'subprocess') if m in sys.modules))"
    )
    assert _last_line(code) == "[]"


def test_commands_never_import_workalendar(tmp_path):
    """workalendar (~50 ms to import) is for scripts using its API (ChinaCalendar): build,
    agenda and the workdays commands count working days with WorkdayCalendar alone."""
    code = (
        "import sys; from cli import main\n"
        f"for args in (['build', '-o', {str(tmp_path / 'out')!r}], ['agenda'],\n"
        "             ['workdays', 'add', '2026-09-30', '3']):\n"
        "    main(args, standalone_mode=False)\n"
        "print('workalendar' in sys.modules)"
    )
    assert _last_line(code) == "False"
    assert (tmp_path / "out" / "all.ics").exists()


def _last_line(code: str) -> str:
    """What ``code`` prints last, run by a fresh interpreter at the project's root."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    return out.stdout.strip().splitlines()[-1]
