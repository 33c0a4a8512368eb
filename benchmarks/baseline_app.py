"""The cheapest Textual app that does what tasktop does on screen: the yardstick for every ratio.

    python -m benchmarks.baseline_app [--rows N] [--tick S]

Imports textual and httpx (as tasktop must), paints an N-row DataTable at mount, and with `--tick`
updates one cell every S seconds (the cheapest possible "live" table). Row keys look like
version-4 UUIDs (`00000011-0000-4000-8000-000000000011`) so the benchmark can spot them on the
screen.
"""

from __future__ import annotations

import argparse

import httpx  # noqa: F401  (imported for a fair start-up comparison, as the issue asks)
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer

COLUMNS = ("Status", "Name", "Created", "Started", "Project", "Task ID")


class BaselineApp(App[None]):
    def __init__(self, rows: int, tick: float | None) -> None:
        super().__init__()
        self.rows = rows
        self.tick = tick
        self.count = 0

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.columns = table.add_columns(*COLUMNS)
        for i in range(self.rows):
            table.add_row(
                "Running", f"dataset {i}", "2m ago", "1m ago", "default",
                f"{i:08x}-0000-4000-8000-{i:012x}", key=str(i),
            )
        table.focus()
        if self.tick:
            self.set_interval(self.tick, self.bump)

    def bump(self) -> None:
        self.count += 1
        self.query_one(DataTable).update_cell("0", self.columns[2], f"{self.count}s ago")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--tick", type=float, default=None)
    args = parser.parse_args()
    BaselineApp(args.rows, args.tick).run()


if __name__ == "__main__":
    main()
