"""The README's Python examples run, against the real backend, so they cannot rot."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import backend_harness
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 7


@pytest.mark.live
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(
    index: int,
    live_backend: backend_harness.Backend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NAVAI_API_URL", live_backend.url)
    source = BLOCKS[index].replace("http://localhost:3000", live_backend.url)
    script = tmp_path / f"readme_example_{index}.py"
    script.write_text(source)
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip() or "assert" in source
