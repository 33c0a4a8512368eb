"""The `e` dialog: export the current page, or (after a confirmation) every page, as CSV or JSON.

Walking every page runs in a worker with a progress bar; the file lands in the working directory
under a fresh timestamped name (tui.core.export never overwrites), and the app says where.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, Static

from tui.core.export import display_path, export_view
from tui.core.export_walk import export_all
from tui.providers.base import Page, PageRequest, ProviderError
from tui.providers.sources import Row
from widgets.text import literal

FetchPage = Callable[[PageRequest], Any]


class ExportDialog(ModalScreen[str | None]):
    """Dismisses with a one-line result ("exported 301 rows to ./…csv") or None if cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        tab_id: str,
        page: Page[Row],
        fetch_page: FetchPage,
        now: Callable[[], datetime],
        directory: Path | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.tab_id = tab_id
        self.page = page
        self.fetch_page = fetch_page
        self.now = now
        self.directory = directory
        self.fmt = "csv"

    def compose(self) -> ComposeResult:
        paging = self.page.paging
        total = paging.total_items
        pages = paging.total_pages if paging.kind == "number" else None
        scope = f"{pages} pages" if pages else "every page"
        with Vertical(classes="dialog export-dialog"):
            yield Label(literal(f"Export {self.title_text}", style="bold"))
            rows = len(self.page.rows)
            yield Label(literal(f"this page: {rows} rows · all: {total or '?'} tasks, {scope}"))
            with Horizontal(classes="buttons", id="choices"):
                yield Button("Page · CSV", id="page-csv", variant="primary")
                yield Button("Page · JSON", id="page-json")
                yield Button("All · CSV", id="all-csv")
                yield Button("All · JSON", id="all-json")
            with Horizontal(classes="buttons", id="confirm"):
                yield Button("Fetch all pages", id="go", variant="warning")
                yield Button("Back", id="back")
            yield ProgressBar(total=pages, show_eta=False, id="progress")
            yield Static("", id="export-status")

    def on_mount(self) -> None:
        self.query_one("#confirm").display = False
        self.query_one("#progress").display = False

    def _status(self, message: str) -> None:
        self.query_one("#export-status", Static).update(literal(message, single_line=True))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        name = event.button.id or ""
        if name.startswith("page-"):
            self._write(self.page.rows, name.removeprefix("page-"))
        elif name.startswith("all-"):
            self.fmt = name.removeprefix("all-")
            self.query_one("#choices").display = False
            self.query_one("#confirm").display = True
            self._status(f"Fetch every page of {self.title_text} and write {self.fmt.upper()}?")
            self.query_one("#go", Button).focus()
        elif name == "go":
            self.query_one("#confirm").display = False
            self.query_one("#progress").display = True
            self._status("fetching…")
            self._export_all(self.fmt)
        elif name == "back":
            self.query_one("#confirm").display = False
            self.query_one("#choices").display = True
            self._status("")
        else:
            self.dismiss(None)

    def _write(self, rows: list[Any], fmt: str) -> None:
        try:
            path = export_view(rows, self.tab_id, fmt, now=self.now(), directory=self.directory)
        except OSError as error:
            self._status(f"could not write the file: {error.strerror or error}")
            return
        self.dismiss(f"exported {len(rows)} rows to {display_path(path)}")

    @work(exclusive=True, group="export")
    async def _export_all(self, fmt: str) -> None:
        bar = self.query_one("#progress", ProgressBar)

        def progress(done: int, total: int | None) -> None:
            bar.update(total=total, progress=done)
            self._status(f"fetched {done} page{'s' if done != 1 else ''}…")

        try:
            path, walk = await export_all(
                self.fetch_page, self.page.request, self.tab_id, fmt, now=self.now(),
                directory=self.directory, progress=progress, key=lambda r: r.key,
            )
        except ProviderError as error:
            self._status(f"export stopped: {error.kind}: {error.message}")
            return
        except OSError as error:
            self._status(f"could not write the file: {error.strerror or error}")
            return
        self.dismiss(f"exported {walk.rows} rows to {display_path(path)}")

    def action_cancel(self) -> None:
        self.dismiss(None)
