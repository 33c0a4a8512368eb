"""Opening the history file: pragmas, migrations, and what to do when the file is unusable.

Every failure here ends in a `Unusable` with a one-line reason; the store turns it into
"history off" and the monitor carries on. A file SQLite cannot read as a database is moved aside
(with its -wal and -shm, which would otherwise be replayed into the fresh file) and started anew.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from .schema import MIGRATIONS, NewerSchema, migrate

#: Milliseconds a write waits for another tasktop process holding the file's write lock.
BUSY_TIMEOUT_MS = 5000
FILE_NAME = "history.sqlite3"


class Unusable(Exception):
    """History cannot run on this file; the message is the one-line notice."""


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_state_path("tasktop") / FILE_NAME


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, busy timeout."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes on an empty file
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot use WAL (journal mode {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def open_file(
    path: Path, *, migrations: Sequence[str] = MIGRATIONS, pragmas: Sequence[str] = ()
) -> tuple[sqlite3.Connection, str | None]:
    """The migrated writer connection, and a notice when a corrupt file had to be moved aside.

    `pragmas` are extra `PRAGMA` statements for the writer, run after the migrations (tests fill
    the disk with a tiny `max_page_count`)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Unusable(f"history off: cannot create {path.parent} ({exc.strerror or exc})") from None
    notice = None
    for attempt in (1, 2):
        try:
            conn = connect(path)
            try:
                migrate(conn, migrations)
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                for pragma in pragmas:
                    conn.execute(f"PRAGMA {pragma}")
            except BaseException:
                conn.close()
                raise
            return conn, notice
        except NewerSchema as exc:
            raise Unusable(f"history off: {exc}") from None
        except sqlite3.DatabaseError as exc:
            if _unwritable(exc, path):
                raise Unusable(f"history off: cannot write {path.parent} (read-only?)") from None
            if attempt == 2 or not _corrupt(exc):
                raise Unusable(f"history off: {one_line(exc)}") from None
            aside = move_aside(path)
            notice = f"history: {path.name} was unreadable ({one_line(exc)}); moved to {aside.name}, started a new one"
    raise AssertionError("unreachable")


def _corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _unwritable(exc: sqlite3.DatabaseError, path: Path) -> bool:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return True
    return "unable to open" in text and not os.access(path.parent, os.W_OK)


def move_aside(path: Path) -> Path:
    """Rename `path` (and its -wal/-shm) to `<name>.corrupt-<UTC time>`; returns the new name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.rename(aside)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.rename(aside.with_name(aside.name + suffix))
    return aside


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
