"""The README's telemetry reference is generated from the catalogue and must not go stale."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from obs_core.semconv import reference_markdown

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference", ROOT / "scripts" / "gen_reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_reference", module)
    spec.loader.exec_module(module)
    return module


gen = _script()


def test_repo_readme_reference_is_current() -> None:
    readme = ROOT / "README.md"
    assert readme.is_file(), "README.md is missing at the repository root"
    text = readme.read_text(encoding="utf-8")
    assert gen.START in text, (
        f"README.md has no {gen.START!r} / {gen.END!r} markers: add them where the telemetry reference "
        "belongs, then run `uv run python scripts/gen_reference.py`"
    )
    assert gen.END in text, f"README.md has {gen.START!r} but no {gen.END!r}"
    assert gen.is_current(text), (
        "README.md's telemetry reference is stale (a name was declared or changed in obs_core.semconv): "
        "run `uv run python scripts/gen_reference.py`"
    )


SAMPLE = f"# Title\n\nIntro.\n\n{gen.START}\nold table\n{gen.END}\n\n## After\nkept\n"


def test_render_rewrites_only_between_the_markers() -> None:
    rendered = gen.render(SAMPLE, "| a |\n")
    assert rendered == f"# Title\n\nIntro.\n\n{gen.START}\n| a |\n{gen.END}\n\n## After\nkept\n"
    assert gen.render(rendered, "| a |\n") == rendered
    assert reference_markdown() in gen.render(SAMPLE)


@pytest.mark.parametrize("text", ["no markers", f"{gen.END}\n{gen.START}\n", f"{gen.START} only"])
def test_render_needs_both_markers_in_order(text: str) -> None:
    with pytest.raises(gen.MarkersMissingError, match=r"scripts/gen_reference\.py"):
        gen.render(text)


def test_main_check_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(SAMPLE)
    assert gen.main([str(readme), "--check"]) == 1
    assert readme.read_text() == SAMPLE  # --check writes nothing
    assert "stale" in capsys.readouterr().err
    assert gen.main([str(readme)]) == 0
    assert gen.main([str(readme), "--check"]) == 0
    assert readme.read_text().endswith(f"{gen.END}\n\n## After\nkept\n")
    readme.write_text("no markers here")
    assert gen.main([str(readme)]) == 2
    assert "needs the lines" in capsys.readouterr().err
