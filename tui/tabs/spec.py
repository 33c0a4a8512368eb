"""What one tab is: the one object every front end reads (the app, the prefetch, the CLI).

A tab brings its provider (how to reach the API and where its key comes from), how it lists and
pages, how its records become table cells and detail fields, and how the CLI prints them. The
built-in tabs are specs like any other, found through the `tasktop.tabs` entry point group
(tui.tabs.registry), so a third-party package adds a tab without editing tasktop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from widgets.column_layout import Column

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from tui.providers.sources import Detail, Row, TaskSource

__all__ = ["CliColumn", "Column", "DetailView", "Provider", "TabSpec", "plain"]

#: (url, key, timeout) → a client (a tui.providers.client.ProviderClient, with `aclose`).
ClientFactory = Callable[[str, "str | None", float], Any]


@dataclass(frozen=True, slots=True)
class Provider:
    """An API and its key. Tabs of one provider share one client and one key."""

    #: Keyring username part and KeyInfo.provider ("enkrypt", "nimble", or a third party's).
    name: str
    #: How the key dialog names it ("Enkrypt AI (Datasets and Red team)").
    title: str
    #: The env var that holds its key (wins over the keyring).
    key_env: str
    client: ClientFactory
    default_url: str
    #: The env var that overrides the URL for a third-party provider (built-ins: the config's).
    url_env: str | None = None


@dataclass(frozen=True, slots=True)
class DetailView:
    """What the detail pane shows for one task (widgets.DetailPane.show's arguments)."""

    title: str
    fields: Sequence[tuple[str, RenderableType]]
    long_texts: Sequence[tuple[str, str]] = ()
    json_blocks: Sequence[tuple[str, object]] = ()


@dataclass(frozen=True, slots=True)
class CliColumn:
    """One column of `tasktop list`'s human table: a header and the plain text of a record."""

    header: str
    #: record → its cell, already made harmless (`plain`) and on one line.
    value: Callable[[Any], str]
    #: Cells longer than this are cut with "…" (None: never).
    max_width: int | None = None


def plain(value: object) -> str:
    """A CLI cell: one line, every terminal control as a visible code (ESC → \\x1b); None "-"."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    from tui.core.safe_text import (
        escape_as_codes,  # its regexes compile once the CLI prints
    )

    return escape_as_codes(" ".join(value.split()) if isinstance(value, str) else str(value))


@dataclass(frozen=True, slots=True)
class TabSpec:
    """One tab: identity, provider, paging, and how its records are shown."""

    id: str
    title: str
    provider: Provider
    #: client → the tab's TaskSource (what a tick fetches, what the detail shows).
    source: Callable[[Any], TaskSource]
    columns: Sequence[Column]
    #: (row, now) → one Text per column, every server value through `tui.tabs.cells.cell`.
    cells: Callable[[Row, datetime], list[Text]]
    #: (detail, now) → what the detail pane shows.
    detail: Callable[[Detail, datetime], DetailView]
    cli_columns: Sequence[CliColumn] = ()
    paging: Literal["number", "cursor"] = "number"
    #: The filter cycle; None means "All".
    filters: tuple[str | None, ...] = (None,)
    #: True when the cells depend on the record alone (no "3m ago"), so a tick may reuse them.
    timeless: bool = False
