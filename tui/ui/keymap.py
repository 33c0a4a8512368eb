"""User keymaps: the config's `[keymap]` checked against the bindings it rebinds, before start.

Textual applies a keymap node by node, so it cannot see that `refresh = "q"` on a tab would hide the
app's quit, or that `next_page = "down"` never reaches a tab because its table takes `down` first.
Both are refused here with one line, like any other config error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from tui.core.config import ConfigError

#: How key names read to a person (Textual binds "?" as "question_mark").
KEY_NAMES = {"space": "space", "colon": ":", "plus": "+", "minus": "-", "question_mark": "?",
             "slash": "/", "comma": ",", "full_stop": ".", "exclamation_mark": "!"}


def normalized_keys(keys: str) -> list[str]:
    """The key names Textual binds for a comma-separated key list ("?" → "question_mark")."""
    return [binding.key for binding in Binding.make_bindings([Binding(keys, "")])]


def display_keys(keys: str) -> str:
    """Keys as a person reads them: "question_mark,h" → "? h"."""
    return " ".join(KEY_NAMES.get(key, key) for key in normalized_keys(keys))


def _fixed_keys() -> dict[str, str]:
    """Keys a keymap may not take: the table's cursor keys and Enter, focus moves, Textual's own."""
    fixed: dict[str, str] = {}
    for owner, bindings in (
        ("the task table", DataTable.BINDINGS),
        ("the screen", Screen.BINDINGS),
        ("Textual", App.BINDINGS),
    ):
        for binding in Binding.make_bindings(bindings):
            fixed.setdefault(binding.key, f"{owner} ({binding.description or binding.action})")
    fixed[App.COMMAND_PALETTE_BINDING] = "the command palette"
    return fixed


def check_keymap(
    keymap: Mapping[str, str], bindings: Sequence[Binding], where: str = "config"
) -> dict[str, str]:
    """The keymap with its keys normalized, or ConfigError (one line) when it names an unknown
    binding id, or leaves two bindings, or a binding and a fixed key, on one key."""
    by_id = {binding.id: binding for binding in bindings if binding.id}
    for binding_id in keymap:
        if binding_id not in by_id:
            close = difflib.get_close_matches(binding_id, list(by_id), n=1)
            hint = f"did you mean `{close[0]}`?" if close else "ids: " + ", ".join(by_id)
            raise ConfigError(f"{where}: [keymap] no binding has the id `{binding_id}` ({hint})")
    normalized = {name: ",".join(normalized_keys(keys)) for name, keys in keymap.items()}
    fixed = _fixed_keys()
    owners: dict[str, str] = {}
    for binding_id, binding in by_id.items():
        for key in normalized_keys(normalized.get(binding_id, binding.key)):
            if binding_id in normalized and key in fixed:
                raise ConfigError(
                    f"{where}: [keymap] `{binding_id}` = {display_keys(key)!r}: that key is "
                    f"taken by {fixed[key]}"
                )
            other = owners.setdefault(key, binding_id)
            if other != binding_id:
                raise ConfigError(
                    f"{where}: [keymap] key {display_keys(key)!r} would do both `{other}` and "
                    f"`{binding_id}`; give one of them another key"
                )
    return normalized


def rebound(bindings: Iterable[Binding], keymap: Mapping[str, str]) -> list[Binding]:
    """The bindings with the keys the keymap gives them (what help and the palette show)."""
    return [
        binding.with_key(keymap[binding.id]) if binding.id in keymap else binding
        for binding in bindings
    ]
