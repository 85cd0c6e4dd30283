"""The package's metadata: the version in one place, its changelog entry, URLs and classifiers."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import navai
from navai._config import USER_AGENT

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def test_the_version_has_a_changelog_section_and_is_the_user_agent() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", navai.__version__)
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert re.search(rf"^## \[{re.escape(navai.__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
    assert f"navai-python/{navai.__version__}" == USER_AGENT
    assert PROJECT["dynamic"] == ["version"]


def test_the_metadata_an_index_shows() -> None:
    assert set(PROJECT["urls"]) >= {"Homepage", "Documentation", "Repository", "Changelog", "Issues"}
    assert all(url.startswith("https://") for url in PROJECT["urls"].values())
    classifiers = set(PROJECT["classifiers"])
    assert {
        "License :: OSI Approved :: MIT License",
        "Typing :: Typed",
        "Framework :: AsyncIO",
        "Programming Language :: Python :: 3.11",
    } <= classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    assert any(c.startswith("Topic :: ") for c in classifiers)
    assert PROJECT["keywords"]
    assert PROJECT["license"] == "MIT"
