"""report.yaml: the coordinator's words for the notice, with defaults and clear errors."""

from __future__ import annotations

import pytest

from disclosure_calendar.core.errors import InputError
from disclosure_calendar.reports.settings import (
    DEFAULT_REQUIREMENTS,
    EXAMPLE,
    ReportSettings,
    load_settings,
)


def test_no_file_gives_the_defaults(tmp_path):
    settings = load_settings(tmp_path / "schedule.yaml")
    assert settings == ReportSettings()
    assert settings.requirements == DEFAULT_REQUIREMENTS
    assert settings.copy_to is None and settings.printed_by is None


def test_the_example_file_reads(tmp_path):
    (tmp_path / "report.yaml").write_text(EXAMPLE, encoding="utf-8")
    settings = load_settings(tmp_path / "schedule.yaml")
    assert settings.addressees == "各镇人民政府，市各有关单位"
    assert settings.copy_to == "市委办公室，市人大常委会办公室"
    assert settings.printed_by == "中山市人民政府办公室"
    assert len(settings.requirements) == 2


def test_mistakes_are_named_with_line_and_column(tmp_path):
    (tmp_path / "report.yaml").write_text("copy_to: 市委办公室\ncc: x\nrequirements: 一段\n")
    with pytest.raises(InputError) as caught:
        load_settings(tmp_path / "schedule.yaml")
    text = str(caught.value)
    assert f"{tmp_path / 'report.yaml'}:2:1: report.yaml: unknown key 'cc'" in text
    assert ":3:15: requirements must be a list" in text
