"""Every call that can put text on the screen takes it from the sanitizer (issue G).

An AST walk over tui/ and widgets/: each `Static(`, `Label(`, `Text(`, `Content(` and `.update(`
call must get its text as a constant string, as a call to one of the sanitizing functions, or as
one of the few values in ALLOWED, each with the reason it is safe. `notify(` is sanitized where
it lands (TasktopApp.notify, which every screen's and widget's notify reaches), which
`test_app_notify_escapes_message_and_title` checks on the source; the Pilot tests in
test_output_paths.py check the rendered toasts and dialogs. Rich's `from_markup`/`from_ansi`
would interpret server text and are not allowed at all.

Modules that import neither textual nor rich cannot paint anything and are not walked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "tui").rglob("*.py"), *(ROOT / "widgets").glob("*.py")])

#: Functions whose result is safe to show: they apply tui.core.safe_text.
SANITIZERS = {"literal", "escape_controls", "sanitize_text", "cell", "status_text"}
#: Calls that show their first argument.
SINKS = {"Static", "Label", "Text", "Content"}
METHOD_SINKS = {"update"}
#: Calls that parse their argument (markup, ANSI): never for anything but a constant.
PARSERS = {"from_markup", "from_ansi", "render_markup"}

#: (file, argument as written) → why that value is safe.
ALLOWED: dict[tuple[str, str], str] = {
    ("widgets/detail_pane.py", "content"):
        "_update is given literal() Text or a grid whose cells are literal()/_value() Text",
    ("widgets/refresh_badge.py", "text"):
        "render_text: constant words, durations, and the error as literal(reason)",
    ("widgets/status_filter.py", "self.render_text(value, note)"):
        "render_text: 'filter: ' and literal() of the value and note",
    ("widgets/text_view.py", "text or Text()"):
        "TextView shows what DetailPane gives it: literal() bodies and headings",
    ("widgets/tab_bar.py", "' ' * INSET"): "spaces",
    ("widgets/task_table.py", "MARK"): "the change-mark constant",
    ("tui/ui/screens/help.py", "key_table(self.groups)"):
        "key names and descriptions of the app's own BINDINGS, each through literal()",
    ("widgets/text.py", "plain"): "literal() itself: `plain` is escape_controls() output",
    ("tui/ui/history_panel.py", "text"): "literal() of the since line, plus a constant hint",
    ("tui/ui/screens/changes.py", "label"):
        "literal() of 'status: ' and of the status, plus counts",
    ("widgets/trend_strip.py", "text"): "literal() of the heading, plus literal() of the footer",
    ("widgets/text.py", "''.join(pieces)"): "sanitize_text() itself: the escaped pieces",
}


def _module_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _is_constant(node.left) and _is_constant(node.right)
    return False


def _is_sanitized(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _module_name(node.func) in SANITIZERS


def _is_safe(node: ast.expr) -> bool:
    """A constant, a sanitizer's result, or a Text/Content built from either."""
    if _is_constant(node) or _is_sanitized(node):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
        "Text", "Content"
    ):
        argument = _text_argument(node)
        return argument is None or _is_safe(argument)
    return False


def _text_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        first = call.args[0]
        return None if isinstance(first, ast.Starred) else first
    for keyword in call.keywords:
        if keyword.arg in ("text", "content", "renderable"):
            return keyword.value
    return None


def _paints(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                node.module or ""]
            if any(n.split(".")[0] in ("textual", "rich") for n in names):
                return True
    return False


def unsafe_calls(path: Path, root: Path = ROOT) -> list[str]:
    """'file:line: call' for every sink call whose text is not provably safe."""
    tree = ast.parse(path.read_text(), str(path))
    if not _paints(tree):
        return []
    rel = path.relative_to(root).as_posix()
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = _module_name(func)
        if name in PARSERS:
            argument = _text_argument(node)
            if argument is not None and not _is_constant(argument):
                problems.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
            continue
        is_sink = (isinstance(func, ast.Name) and name in SINKS) or (
            isinstance(func, ast.Attribute) and name in METHOD_SINKS
        )
        if not is_sink:
            continue
        argument = _text_argument(node)
        if argument is None or _is_safe(argument):
            continue
        if (rel, ast.unparse(argument)) in ALLOWED:
            continue
        problems.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
    return problems


def test_every_painted_text_comes_from_the_sanitizer():
    problems = [p for path in SOURCES for p in unsafe_calls(path)]
    assert problems == [], "\n".join(problems)


def test_every_allowed_value_still_exists():
    """A stale allow-list entry would hide nothing but mislead: each one must still be used."""
    used = set()
    for path in SOURCES:
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                argument = _text_argument(node)
                if argument is not None:
                    used.add((rel, ast.unparse(argument)))
    assert set(ALLOWED) <= used, set(ALLOWED) - used


@pytest.mark.parametrize(
    "source, flagged",
    [
        ("from rich.text import Text\nText(server_value)\n", True),
        ("from rich.text import Text\nText(f'id {task.key}')\n", True),
        ("from textual.widgets import Static\nStatic(error.message)\n", True),
        ("from textual.widgets import Label\nLabel(f'page {n}')\n", True),
        ("from textual.widgets import Static\nw.update(message)\n", True),
        ("from rich.text import Text\nText.from_markup(body)\n", True),
        ("from rich.text import Text\nText('constant', style='bold')\n", False),
        ("from textual.widgets import Static\nStatic(Text('constant'))\n", False),
        ("from textual.widgets import Static\nStatic(Text(name))\n", True),
        ("from rich.text import Text\nText(end='')\n", False),
        ("from textual.widgets import Static\nStatic(literal(error.message))\n", False),
        ("from textual.widgets import Static\nw.update(escape_controls(message))\n", False),
        ("x.update(server_value)\n", False),  # imports nothing that paints
    ],
)
def test_the_walker_flags_what_it_should(tmp_path, source, flagged):
    sample = tmp_path / "tui" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(source)
    assert bool(unsafe_calls(sample, tmp_path)) is flagged


def test_app_notify_escapes_message_and_title():
    """TasktopApp overrides notify, and passes both message and title through escape_controls."""
    tree = ast.parse((ROOT / "tui" / "ui" / "app.py").read_text())
    (app,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TasktopApp"]
    (notify,) = [n for n in app.body if isinstance(n, ast.FunctionDef) and n.name == "notify"]
    (call,) = [
        n for n in ast.walk(notify)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "notify"
    ]
    keywords = {k.arg: k.value for k in call.keywords}
    assert _is_sanitized(call.args[0]) and _is_sanitized(keywords["title"])
    assert isinstance(keywords["markup"], ast.Constant) and keywords["markup"].value is False
