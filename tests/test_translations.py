"""Simplified Chinese is the default language: every user-facing string has a translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = Path("locale/zh_Hans/LC_MESSAGES/django.po")


def test_catalog_translates_every_string_of_the_source(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.skip("gettext is not installed (make test installs it: apt-get install gettext)")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(".venv", "var", ".git", "test-results", "staticfiles", "*.mo")
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-location",
         "--ignore", "tests/*", "--ignore", "bench/*"],
        cwd=copy, check=True, capture_output=True, env={"PATH": "/usr/bin:/bin", "DEBUG": "1"},
    )
    catalog = polib.pofile(str(copy / CATALOG))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert not untranslated, f"run `make messages` and translate in {CATALOG}: {untranslated}"
    assert not fuzzy, f"check these translations in {CATALOG}: {fuzzy}"
