"""The layer rule of the README: pure modules never import Textual or widgets; widgets import nothing
from tui but tui.core, and tui.core imports only the standard library.

Checked on the source (AST), so a lazy import inside a function is caught as well.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = [
    *sorted((ROOT / "tui" / "providers").glob("*.py")),
    *sorted((ROOT / "tui" / "sim").glob("*.py")),
    ROOT / "tui" / "config.py",
    ROOT / "tui" / "delta.py",
    ROOT / "tui" / "keys.py",
    ROOT / "tui" / "neighbours.py",
    ROOT / "tui" / "page_fit.py",
    ROOT / "tui" / "prefetch.py",
    ROOT / "tui" / "timefmt.py",
    *sorted((ROOT / "tui" / "core").glob("*.py")),
]
WIDGETS = sorted((ROOT / "widgets").glob("*.py"))
CORE = sorted((ROOT / "tui" / "core").glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Absolute module names imported anywhere in `path` (relative imports are left out)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def imported_roots(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_modules_import_no_textual_or_widgets(path):
    assert not imported_roots(path) & {"textual", "widgets"}


@pytest.mark.parametrize("path", WIDGETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_widgets_import_nothing_from_tui_but_tui_core(path):
    from_tui = {m for m in imported_modules(path) if m.split(".")[0] == "tui"}
    assert all(m.startswith("tui.core.") for m in from_tui), from_tui


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_tui_core_imports_only_the_standard_library(path):
    assert imported_roots(path) <= set(sys.stdlib_module_names) | {"__future__"}


def test_tui_core_exists():
    assert ROOT / "tui" / "core" / "safe_text.py" in CORE


def test_the_rule_checker_sees_lazy_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from textual.app import App\n")
    assert "textual" in imported_roots(sample)
