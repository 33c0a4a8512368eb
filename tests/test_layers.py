"""The layer rule of DESIGN.md: pure modules never import Textual or widgets; widgets never import tui.

Checked on the source (AST), so a lazy import inside a function is caught as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = [
    *sorted((ROOT / "tui" / "providers").glob("*.py")),
    *sorted((ROOT / "tui" / "sim").glob("*.py")),
    ROOT / "tui" / "config.py",
    ROOT / "tui" / "keys.py",
    ROOT / "tui" / "page_fit.py",
    ROOT / "tui" / "prefetch.py",
    ROOT / "tui" / "timefmt.py",
]
WIDGETS = sorted((ROOT / "widgets").glob("*.py"))


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_modules_import_no_textual_or_widgets(path):
    assert not imported_roots(path) & {"textual", "widgets"}


@pytest.mark.parametrize("path", WIDGETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_widgets_import_nothing_from_tui(path):
    assert "tui" not in imported_roots(path)


def test_the_rule_checker_sees_lazy_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from textual.app import App\n")
    assert "textual" in imported_roots(sample)
