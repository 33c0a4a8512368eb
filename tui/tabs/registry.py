"""Which tabs there are: every `tasktop.tabs` entry point, built-ins first in their own order.

A tab is a `TabSpec` named by an entry point (`name = "module:attribute"`) in the group
`tasktop.tabs`; tasktop's own three are registered in its pyproject.toml exactly as a third-party
package registers one. Discovery reads the `entry_points.txt` of each distribution on `sys.path`
itself rather than through importlib.metadata, whose import alone costs more than the whole scan
(~40 ms against ~2 ms; the launch figure would show it). It runs once per process.

A broken entry point (its module fails to import, the attribute is no TabSpec, its id is taken)
is left out with a one-line problem (`problems()`, also logged) and never stops the monitor.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from functools import cache

from tui.core.keys import register_provider

from .spec import Provider, TabSpec

GROUP = "tasktop.tabs"
#: The built-in tabs in tab order; each is loaded from here too when the installed metadata does
#: not list it (a checkout run without `pip install -e .` after the entry points changed).
BUILTINS: dict[str, str] = {
    "datasets": "tui.tabs.datasets:SPEC",
    "redteam": "tui.tabs.redteam:SPEC",
    "nimble": "tui.tabs.nimble:SPEC",
}

log = logging.getLogger("tasktop.tabs")
_problems: list[str] = []


@cache
def entry_points(group: str = GROUP) -> dict[str, str]:
    """name → "module:attribute" of the group's entry points on sys.path (first one wins)."""
    found: dict[str, str] = {}
    for directory in sys.path:
        for name, value in _scan(directory or ".", group):
            found.setdefault(name, value)
    return found


def _scan(directory: str, group: str) -> list[tuple[str, str]]:
    try:
        entries = [e.name for e in os.scandir(directory) if e.name.endswith((".dist-info",
                                                                              ".egg-info"))]
    except OSError:  # a zip, a missing directory
        return []
    found: list[tuple[str, str]] = []
    for entry in sorted(entries):
        try:
            with open(os.path.join(directory, entry, "entry_points.txt"), encoding="utf-8") as f:
                text = f.read()
        except OSError:  # most distributions have none; a .egg-info may be a file
            continue
        found += _parse(text, group)
    return found


def _parse(text: str, group: str) -> list[tuple[str, str]]:
    """The `name = value` lines of one [group] section of an entry_points.txt (INI)."""
    section, found = None, []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            found.append((name.strip(), value.strip()))
    return found


@cache
def tabs() -> tuple[TabSpec, ...]:
    """Every tab in order: the built-ins, then the others by entry point name."""
    points = entry_points()
    order = names()
    loaded: dict[str, TabSpec] = {}
    for name in order:
        value = points.get(name) or BUILTINS[name]
        spec = _load(name, value)
        if spec is None:
            continue
        if spec.id != name:
            _problem(f"tab entry point {name!r} names a tab {spec.id!r}: the name must be the "
                     "tab id; left out")
            continue
        if spec.id in loaded:
            _problem(f"tab entry point {name!r}: the tab id {spec.id!r} is taken; left out")
            continue
        loaded[spec.id] = spec
        register_provider(spec.provider.name, spec.provider.key_env)
    return tuple(loaded.values())


def _load(name: str, value: str) -> TabSpec | None:
    module_name, _, attribute = value.partition(":")
    try:
        target: object = importlib.import_module(module_name.strip())
        for part in attribute.strip().split(".") if attribute.strip() else ():
            target = getattr(target, part)
    except Exception as error:  # noqa: BLE001 - a third party's bug must not stop the monitor
        _problem(f"tab entry point {name!r} ({value}) failed: {type(error).__name__}: {error}")
        return None
    if not isinstance(target, TabSpec):
        _problem(f"tab entry point {name!r} ({value}) is a {type(target).__name__}, not a TabSpec")
        return None
    return target


def _problem(message: str) -> None:
    message = " ".join(message.split())
    _problems.append(message)
    log.warning("%s", message)


def problems() -> list[str]:
    """One line per entry point that was left out (after `tabs()` ran)."""
    tabs()
    return list(_problems)


def spec(tab_id: str) -> TabSpec:
    """The tab with this id (KeyError when there is none)."""
    for tab in tabs():
        if tab.id == tab_id:
            return tab
    raise KeyError(tab_id)


def tab_ids() -> list[str]:
    return [tab.id for tab in tabs()]


def names() -> list[str]:
    """The tab ids in tab order as the entry points name them, without importing any tab (the
    CLI's parser offers them; a tab that then fails to load is one line when it is asked for)."""
    points = entry_points()
    return [*BUILTINS, *sorted(set(points) - set(BUILTINS))]


def providers() -> dict[str, Provider]:
    """name → Provider, in tab order (tabs of one provider share the first one's)."""
    found: dict[str, Provider] = {}
    for tab in tabs():
        found.setdefault(tab.provider.name, tab.provider)
    return found


def reset() -> None:
    """Forget what was discovered (tests that put a tab package on sys.path)."""
    tabs.cache_clear()
    entry_points.cache_clear()
    _problems.clear()
