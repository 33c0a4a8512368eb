"""The local history: every transition tasktop sees, kept in one SQLite file (stdlib only).

No Textual, no widgets, no HTTP here: the app and the CLI hand in transitions and read back
timelines, changes and trends.
"""

from tui.history.connect import default_path
from tui.history.queries import Change, Trends
from tui.history.retention import Retention
from tui.history.store import History
from tui.history.timeline import Step, Timeline, render_timeline

__all__ = ["Change", "History", "Retention", "Step", "Timeline", "Trends", "default_path",
           "render_timeline"]
