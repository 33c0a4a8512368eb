"""Export task rows to CSV or JSON files (walking every page of a list: export_walk.py).

Why here and not in the app: the same code serves the `e` key in the TUI and `tasktop list --all`,
and it is testable without a screen. Records carry no API key (keys live in the clients), so an
export cannot contain one. Files are created exclusively (never overwriting anything), in the
working directory by default, with a timestamped name. No Textual.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import (
    Iterable,
    Mapping,
)
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from tui.core.json_stream import JsonArrayWriter
from tui.core.safe_text import escape_controls, has_unsafe

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
#: A line start (the cell's start, or just after a line break) followed by what a spreadsheet
#: runs as a formula (=, +, -, @, tab, CR); such a line gets a leading "'".
_FORMULA_LINE = re.compile(r"(^|\r\n|\r|\n)(?=[=+\-@\t\r])")


# --------------------------------------------------------------------------------- records


def record_to_dict(record: Any) -> dict[str, Any]:
    """One row as plain JSON data: a wire record via `to_json_dict()`, a bare dataset name as
    {"dataset_name": name}, a mapping as a copy; a tab `Row` (with `.record`) is unwrapped."""
    if hasattr(record, "to_json_dict"):
        return dict(record.to_json_dict())
    if isinstance(record, str):
        return {"dataset_name": record}
    if isinstance(record, Mapping):
        return dict(record)
    inner = getattr(record, "record", None)
    if inner is not None:
        return record_to_dict(inner)
    raise TypeError(f"cannot export a {type(record).__name__}")


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The union of the rows' keys, in first-seen order."""
    return list(dict.fromkeys(key for row in rows for key in row))


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def csv_cell(value: Any, *, formula_guard: bool = True) -> str:
    """One CSV cell: None -> "", bools as true/false, nested values as compact JSON.

    With `formula_guard`, text that a spreadsheet would run as a formula (=, +, -, @ …) is prefixed
    with "'": the values come from a server and must not become code when the file is opened.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (dict, list, tuple)):
        return compact_json(value)
    return csv_text(str(value), formula_guard=formula_guard)


def csv_text(text: str, *, formula_guard: bool = True) -> str:
    """Server text made safe for a CSV cell (header cells too).

    Control characters other than CR, LF and tab become visible symbols (an ESC must not reach the
    terminal of someone who runs `cat` on the file). With `formula_guard`, every line of the cell
    that would start a formula gets a leading "'": a spreadsheet may split a cell at its line
    breaks, and each piece must still be data.
    """
    if has_unsafe(text):
        text = "\r".join(escape_controls(part) for part in text.split("\r"))
    if formula_guard:
        text = _FORMULA_LINE.sub(r"\1'", text)
    return text


# ----------------------------------------------------------------------------------- files


def default_export_path(
    tab_id: str, fmt: Format, now: datetime, directory: Path | None = None
) -> Path:
    """./tasktop-<tab>-YYYYMMDD-HHMMSS.<fmt>, with -1, -2 … added when that name is taken."""
    _check_format(fmt)
    directory = Path.cwd() if directory is None else Path(directory)
    safe_tab = "".join(c if c.isalnum() or c in "-_" else "_" for c in tab_id) or "tasks"
    stem = f"tasktop-{safe_tab}-{now:%Y%m%d-%H%M%S}"
    candidate = directory / f"{stem}.{fmt}"
    n = 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = directory / f"{stem}-{n}.{fmt}"
    return candidate


def export_rows(
    rows: Iterable[dict[str, Any]], path: Path, fmt: Format, *, formula_guard: bool = True
) -> Path:
    """Write `rows` to a new file at `path` (FileExistsError if it exists); return the path.

    JSON: an array of the row objects, as the server sent them (control characters as \\u
    escapes). CSV: a header of every key seen (first-seen order), one line per row, missing values
    empty, nested values as compact JSON, header and cells through `csv_text`. CSV quoting is
    QUOTE_MINIMAL with the RFC 4180 line terminator "\\r\\n": the writer quotes every field that
    holds a character of the terminator, so a bare CR or LF inside a value stays inside its quoted
    cell instead of starting a row (with "\\n" alone a bare CR went unquoted). QUOTE_ALL would also
    work but turns every number into quoted text. A half-written file is removed if writing fails.
    """
    with RowFile(path, fmt, formula_guard=formula_guard) as out:
        out.write(rows)
    return Path(path)


class RowFile:
    """A new export file written row by row, so a walk of any length holds one page at a time.

    JSON rows go straight to the file, inside one array. A CSV header needs every column before
    the first row, so CSV rows are spooled to a temporary file (one JSON line each) and written
    out, under the header of every key seen, when the file is closed. The result is the same
    bytes as writing all rows at once. Leaving the `with` block by an exception removes the file.
    """

    def __init__(self, path: Path, fmt: Format, *, formula_guard: bool = True) -> None:
        _check_format(fmt)
        self.path = Path(path)
        self.fmt = fmt
        self.rows = 0
        self._guard = formula_guard
        self._columns: dict[str, None] = {}
        self._fh = self.path.open("x", encoding="utf-8", newline="")
        self._json = JsonArrayWriter(self._fh) if fmt == "json" else None
        self._spool: Any = None
        if fmt == "csv":
            import tempfile

            self._spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        if self._json is not None:
            self._json.write(rows)
            self.rows = self._json.count
            return
        for row in rows:
            self._columns.update(dict.fromkeys(row))
            self._spool.write(json.dumps(row) + "\n")  # ASCII: any string survives
            self.rows += 1

    def close(self) -> None:
        """Finish the file (for CSV the slow part: every row is written now)."""
        if self._json is not None:
            self._json.close()
            self._fh.write("\n")
        else:
            columns = list(self._columns)
            guard = self._guard
            writer = csv.writer(self._fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow([csv_text(str(c), formula_guard=guard) for c in columns])
            self._spool.seek(0)
            for line in self._spool:
                row = json.loads(line)
                writer.writerow([csv_cell(row.get(c), formula_guard=guard) for c in columns])
        self._release()

    def discard(self) -> None:
        """Close and remove the half-written file."""
        self._release()
        self.path.unlink(missing_ok=True)

    def _release(self) -> None:
        self._fh.close()
        if self._spool is not None:
            self._spool.close()

    def __enter__(self) -> RowFile:
        return self

    def __exit__(self, kind: object, error: object, tb: object) -> None:
        if kind is None:
            try:
                self.close()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()


def export_view(
    records: Iterable[Any],
    tab_id: str,
    fmt: Format,
    *,
    now: datetime,
    directory: Path | None = None,
) -> Path:
    """Export records (wire records, names or Rows) to a fresh default-named file; its path."""
    with new_row_file(tab_id, fmt, now, directory) as out:
        out.write(record_to_dict(r) for r in records)
    return out.path


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"export format must be csv or json, got {fmt!r}")


def new_row_file(tab_id: str, fmt: Format, now: datetime, directory: Path | None) -> RowFile:
    for _ in range(100):
        path = default_export_path(tab_id, fmt, now, directory)
        try:
            return RowFile(path, fmt)
        except FileExistsError:
            continue  # someone took the name between the check and the create
    raise FileExistsError(f"no free export file name in {directory or Path.cwd()}")


def display_path(path: Path) -> str:
    """The path as told to the user: './name' inside the working directory, else absolute."""
    path = Path(path).absolute()
    try:
        return f"./{path.relative_to(Path.cwd())}"
    except ValueError:
        return str(path)
