"""The layers of the README's architecture: each folder of tui/ imports only the folders below it,
nothing below tui/ui imports Textual or widgets, and widgets import nothing from tui but tui.core.

Checked twice: by import-linter's contracts in pyproject.toml (run here, as `lint-imports`), and on
the source (AST) for the same folders, so a lazy import inside a function is caught as well.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The import-linter contracts in pyproject.toml: the one list of which modules are pure.
CONTRACTS = {c["name"]: c for c in tomllib.loads((ROOT / "pyproject.toml").read_text())
             ["tool"]["importlinter"]["contracts"]}
PURE_CONTRACT = "Below the ui nothing imports Textual or widgets"
LAYERS_CONTRACT = "Layers: commands, ui, process, hooks, history, core, providers and sim, base"


def module_files(module: str) -> list[Path]:
    """The source files of a module or package name (`tui.sim` -> tui/sim/*.py)."""
    path = ROOT.joinpath(*module.split("."))
    return sorted(path.glob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


PURE = [f for m in CONTRACTS[PURE_CONTRACT]["source_modules"] for f in module_files(m)]
WIDGETS = sorted((ROOT / "widgets").glob("*.py"))
SAFE_TEXT = ROOT / "tui" / "core" / "safe_text.py"


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


def test_the_sanitizer_widgets_use_imports_only_the_standard_library():
    assert imported_roots(SAFE_TEXT) <= set(sys.stdlib_module_names) | {"__future__"}


def test_every_folder_of_tui_is_a_layer():
    """A new folder must take its place in the layers (or the contract would not see it)."""
    layers = CONTRACTS[LAYERS_CONTRACT]["layers"]
    named = {m.strip() for layer in layers for m in layer.split("|")}
    folders = {f"tui.{p.name}" for p in (ROOT / "tui").iterdir() if (p / "__init__.py").is_file()}
    assert folders == named


def test_the_rule_checker_sees_lazy_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from textual.app import App\n")
    assert "textual" in imported_roots(sample)


def lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(command), "--no-cache", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_every_pure_module_file_exists():
    assert PURE and all(path.is_file() for path in PURE), [p for p in PURE if not p.is_file()]


def test_the_import_contracts_hold():
    result = lint_imports()
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{len(CONTRACTS)} kept, 0 broken" in result.stdout


def test_the_import_contracts_catch_a_real_import(tmp_path):
    """Without its one allowance (widgets may use tui.core) the widgets contract must break on
    widgets/text.py's real import of tui.core.safe_text: the tool sees this tree's imports."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    strict = tmp_path / "strict.toml"
    strict.write_text(
        '[tool.importlinter]\nroot_packages = ["tui", "widgets"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "strict"\ntype = "forbidden"\n'
        'source_modules = ["widgets"]\nforbidden_modules = ["tui"]\n'
    )
    assert config["root_packages"] == ["tui", "widgets"]
    result = lint_imports("--config", str(strict))
    assert result.returncode != 0
    assert "widgets.text -> tui.core.safe_text" in result.stdout


def test_the_layers_contract_catches_an_upward_import(tmp_path):
    """With core and providers swapped, core's real import of providers.base must break it."""
    swapped = tmp_path / "swapped.toml"
    swapped.write_text(
        '[tool.importlinter]\nroot_packages = ["tui", "widgets"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "swapped"\ntype = "layers"\n'
        'layers = ["tui.providers", "tui.core"]\n'
    )
    result = lint_imports("--config", str(swapped))
    assert result.returncode != 0
    assert "tui.core.failure -> tui.providers.base" in result.stdout
