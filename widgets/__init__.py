"""Generic Textual widgets for task monitors. They import textual/rich only, never `tui`:
the app passes plain data in.

Names are imported on first use (PEP 562), so the pure modules (`widgets.column_layout`,
`widgets.text`) can be imported without Textual: the tab specs use them below the ui layer.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_HOMES = {
    "ApplyStats": "task_table",
    "Column": "column_layout",
    "DetailPane": "detail_pane",
    "Pager": "pager",
    "RefreshBadge": "refresh_badge",
    "StatusFilter": "status_filter",
    "TabBar": "tab_bar",
    "TaskTable": "task_table",
    "TextView": "text_view",
    "escape_controls": "text",
    "format_duration": "refresh_badge",
    "literal": "text",
    "pretty_json": "detail_pane",
    "sanitize_text": "text",
}

__all__ = sorted(_HOMES)

if TYPE_CHECKING:
    from widgets.column_layout import Column
    from widgets.detail_pane import DetailPane, pretty_json
    from widgets.pager import Pager
    from widgets.refresh_badge import RefreshBadge, format_duration
    from widgets.status_filter import StatusFilter
    from widgets.tab_bar import TabBar
    from widgets.task_table import ApplyStats, TaskTable
    from widgets.text import escape_controls, literal, sanitize_text
    from widgets.text_view import TextView


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'widgets' has no attribute {name!r}")
    return getattr(import_module(f"widgets.{home}"), name)
