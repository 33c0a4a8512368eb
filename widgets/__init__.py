"""Generic Textual widgets for task monitors. They import textual/rich only, never `tui`:
the app passes plain data in."""

from widgets.detail_pane import DetailPane, pretty_json
from widgets.pager import Pager
from widgets.refresh_badge import RefreshBadge, format_duration
from widgets.status_filter import StatusFilter
from widgets.tab_bar import TabBar
from widgets.task_table import ApplyStats, Column, TaskTable
from widgets.text import escape_controls, literal, sanitize_text
from widgets.text_view import TextView

__all__ = [
    "ApplyStats",
    "Column",
    "DetailPane",
    "Pager",
    "RefreshBadge",
    "StatusFilter",
    "TabBar",
    "TaskTable",
    "TextView",
    "escape_controls",
    "format_duration",
    "literal",
    "pretty_json",
    "sanitize_text",
]
