"""``__all__`` of each public package is its documented API, no more and no less.

Each API reference page (``docs/reference/*.md``) lists the members mkdocstrings renders
for its package; that list, the package's ``__all__`` and the names that resolve on the
package are the same set, and every one of them has a docstring (mkdocstrings leaves out
a member that has none, so an undocumented name would silently vanish from the page).
"""

from __future__ import annotations

import importlib
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"

PAGES = {
    "navai": "client.md",
    "navai.functions": "functions.md",
    "navai.server": "server.md",
    "navai.agent": "agent.md",
    "navai.mcp": "mcp.md",
    "navai.integrations.openai_agents": "openai-agents.md",
    "navai.testing": "testing.md",
}

# Not rendered as members: the version string.
UNLISTED = {"__version__"}


def _members(package: str) -> list[str]:
    """The ``members:`` list under ``::: package`` in its reference page."""
    text = (REFERENCE / PAGES[package]).read_text("utf-8")
    block = re.search(rf"^::: {re.escape(package)}\n((?:[ \t]+.*\n?)*)", text, re.MULTILINE)
    assert block, f"no '::: {package}' in {PAGES[package]}"
    listed = re.search(r"^( +)members:\n((?:\1  +- .*\n?)*)", block.group(1), re.MULTILINE)
    assert listed, f"'::: {package}' in {PAGES[package]} has no members list"
    return [line.strip()[2:].strip() for line in listed.group(2).splitlines()]


def test_every_reference_page_is_checked() -> None:
    assert {path.name for path in REFERENCE.glob("*.md")} == set(PAGES.values())


@pytest.mark.parametrize("package", list(PAGES))
def test_all_is_exactly_the_documented_members(package: str) -> None:
    module = importlib.import_module(package)
    members = _members(package)
    assert len(members) == len(set(members)), "a member is listed twice"
    assert set(module.__all__) - UNLISTED == set(members)


@pytest.mark.parametrize("package", [*PAGES, "navai.integrations"])
def test_every_name_in_all_resolves_without_a_warning(package: str) -> None:
    module = importlib.import_module(package)
    assert len(module.__all__) == len(set(module.__all__))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in module.__all__:
            getattr(module, name)
    public = {name for name in dir(module) if not name.startswith("_")}
    assert set(module.__all__) - UNLISTED <= public


def test_every_documented_member_has_a_docstring() -> None:
    griffe = pytest.importorskip("griffe")
    loader = griffe.GriffeLoader(search_paths=[str(ROOT), str(ROOT / "generated")])
    root = loader.load("navai")
    loader.resolve_aliases(implicit=False, external=None)
    missing = []
    for package in PAGES:
        module = root if package == "navai" else root[package.removeprefix("navai.")]
        missing += [f"{package}.{name}" for name in _members(package) if module[name].docstring is None]
    assert not missing, f"no docstring, so not rendered: {missing}"


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("navai.server", "build_invocation_args"),
        ("navai.server", "positional_arity"),
        ("navai.server", "module_exports"),
        ("navai.server", "HTTPError"),
        ("navai.agent", "json_stringify"),
        ("navai.agent", "error_message"),
    ],
)
def test_the_internals_the_issue_named_are_not_public(package: str, name: str) -> None:
    module = importlib.import_module(package)
    assert name not in module.__all__
    assert name not in dir(module)
