"""Everything about one task: a key/value grid, long texts and pretty-printed JSON.

The app re-shows the pane on every refresh tick, so `show` only repaints the sections
whose data changed and never touches the scroll position unless the title changes.
All content is literal Text: server strings can't inject markup or terminal escapes.
JSON is pretty-printed by a small bounded printer (json.dumps with indent recurses
without limit and builds the whole string before any cap could apply).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.highlighter import JSONHighlighter
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from widgets.text import literal
from widgets.text_view import TextView

__all__ = ["DetailPane", "pretty_json"]

MAX_FIELD = 10_000
MAX_LONG_TEXT = 100_000
MAX_JSON = 200_000
MAX_DEPTH = 32
HIGHLIGHT_LIMIT = 64_000


class _Full(Exception):
    pass


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def pretty_json(
    value: object, max_chars: int = MAX_JSON, max_depth: int = MAX_DEPTH
) -> tuple[str, bool]:
    """JSON text with indent 2, at most `max_chars` long and `max_depth` deep.

    Returns (text, truncated). Containers deeper than `max_depth` show as {…} / […].
    """
    out: list[str] = []
    size = 0
    truncated = False

    def emit(piece: str) -> None:
        nonlocal size
        if size + len(piece) > max_chars:
            out.append(piece[: max_chars - size])
            raise _Full
        out.append(piece)
        size += len(piece)

    def walk(node: object, level: int) -> None:
        nonlocal truncated
        if isinstance(node, dict):
            items: Any = node.items()
            opener, closer = "{", "}"
        elif isinstance(node, (list, tuple)):
            items = node
            opener, closer = "[", "]"
        else:
            emit(_scalar(node))
            return
        if not node:
            emit(opener + closer)
            return
        if level >= max_depth:
            truncated = True
            emit(opener + "…" + closer)
            return
        inner = "  " * (level + 1)
        emit(opener)
        for index, item in enumerate(items):
            emit(",\n" + inner if index else "\n" + inner)
            if opener == "{":
                key, item = item
                emit(_scalar(key if isinstance(key, str) else str(key)) + ": ")
            walk(item, level + 1)
        emit("\n" + "  " * level + closer)

    try:
        walk(value, 0)
    except _Full:
        truncated = True
    return "".join(out), truncated


def _json_text(pretty: str, truncated: bool) -> Text:
    text = literal(pretty)
    if len(pretty) <= HIGHLIGHT_LIMIT:
        JSONHighlighter().highlight(text)
    if truncated:
        text.append("\n… truncated", style="italic")
    text.overflow = "fold"
    return text


def _value(value: RenderableType | str) -> RenderableType:
    if isinstance(value, (str, Text)) or value is None or isinstance(value, (int, float)):
        text = literal(value, MAX_FIELD)
        text.overflow = "fold"
        return text
    return value


class DetailPane(VerticalScroll):
    """Scrollable detail view of one task.

    `show(title, fields, long_texts, json_blocks)`: fields are (label, value) rows in a
    grid with fixed-width labels; long texts are wrapped paragraphs under a heading;
    JSON blocks are pretty-printed, capped at 200 KB / 32 levels.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "detail-pane--title",
        "detail-pane--label",
        "detail-pane--heading",
    }

    DEFAULT_CSS = """
    DetailPane > .detail-pane--title { text-style: bold; }
    DetailPane > .detail-pane--label { color: $text-muted; }
    DetailPane > .detail-pane--heading { color: $text-accent; text-style: bold; }
    DetailPane > Static { width: 1fr; }
    DetailPane > #detail-title { margin-bottom: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    DetailPane > #detail-texts, DetailPane > #detail-json, DetailPane > #detail-timeline {
        margin-top: 1;
    }
    """

    def __init__(
        self,
        *,
        label_width: int = 16,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.label_width = label_width
        self.title: str | None = None
        self._fields: Any = None
        self._long_texts: Any = None
        self._json: Any = None
        self._timeline: Any = None  # shown once the children exist
        self._timeline_key: Any = ("", None)
        self.shows = 0
        """How many sections `show` repainted in total (tests count repaints)."""
        self._pending: tuple[Any, ...] | None = None
        self._ready = False  # children exist (is_mounted turns True only after on_mount)

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-fields")
        timeline = Static(id="detail-timeline")
        timeline.display = False  # until there is a history to show
        yield timeline
        yield TextView(id="detail-texts")
        yield TextView(id="detail-json")

    def on_mount(self) -> None:
        self._ready = True
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.show(*pending)
        if self._timeline is not None:
            timeline, self._timeline = self._timeline, None
            self.show_timeline(*timeline)

    def show(
        self,
        title: str,
        fields: Sequence[tuple[str, RenderableType | str]],
        long_texts: Sequence[tuple[str, str]] = (),
        json_blocks: Sequence[tuple[str, object]] = (),
    ) -> None:
        """Show one task; sections whose data is unchanged are left alone."""
        if not self._ready:
            self._pending = (title, fields, long_texts, json_blocks)
            return
        fields = [(str(label), value) for label, value in fields]
        field_keys = [(label, _key(value)) for label, value in fields]
        long_texts = [(str(heading), str(body)) for heading, body in long_texts]
        # Compare JSON by its bounded pretty text: safe for very deep values and for
        # dicts the caller mutates in place between ticks.
        pretty = [(str(heading), pretty_json(value)) for heading, value in json_blocks]
        if title != self.title:
            self.title = title
            title_text = literal(title, 500, single_line=True, style=self._style("title"))
            self._update("#detail-title", title_text)
            self.scroll_home(animate=False)
        if field_keys != self._fields:
            self._fields = field_keys
            self._update("#detail-fields", self._grid(fields))
        if long_texts != self._long_texts:
            self._long_texts = long_texts
            self._update("#detail-texts", self._sections(
                (heading, _long_text(body)) for heading, body in long_texts))
        if pretty != self._json:
            self._json = pretty
            self._update("#detail-json", self._sections(
                (heading, _json_text(*printed)) for heading, printed in pretty))

    @property
    def field_labels(self) -> list[str]:
        """The labels of the fields shown, in order."""
        return [label for label, _ in self._fields or ()]

    @property
    def json_headings(self) -> list[str]:
        """The headings of the JSON blocks shown, in order."""
        return [heading for heading, _ in self._json or ()]

    def show_timeline(self, heading: str, body: Text | None) -> None:
        """A section under the fields (the task's history); None hides it. Repaints on a change."""
        state = (heading, None if body is None else _key(body))
        if not self._ready:
            self._timeline = (heading, body)  # on_mount shows it
            return
        if state == self._timeline_key:
            return
        self._timeline_key = state
        content = Text("") if body is None else self._sections([(heading, body)])
        self._update("#detail-timeline", content)

    def clear(self) -> None:
        """Show nothing."""
        self.show("", ())
        self.show_timeline("", None)
        self.title = None

    # -- internals ------------------------------------------------------------

    def _style(self, part: str) -> Any:
        return self.get_component_rich_style(f"detail-pane--{part}", default=Style())

    def _update(self, selector: str, content: Any) -> None:
        widget = next(iter(self.query(selector)), None)
        if widget is None:
            return  # being removed (the app is closing): its children are already gone
        self.shows += 1
        widget.display = not (isinstance(content, Text) and not content.plain)
        widget.update(content)

    def _grid(self, fields: list[tuple[str, Any]]) -> RenderableType:
        if not fields:
            return Text("")
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(
            width=self.label_width, no_wrap=True, overflow="ellipsis", style=self._style("label")
        )
        grid.add_column(ratio=1, overflow="fold")
        for label, value in fields:
            grid.add_row(literal(label, self.label_width * 4, single_line=True), _value(value))
        return grid

    def _sections(self, sections: Any) -> Text:
        """Headings and bodies as one Text, for one TextView (no remounting)."""
        text = Text(end="")
        heading_style = self._style("heading")
        for heading, body in sections:
            if text.plain:
                text.append("\n\n")
            text.append_text(literal(heading, 200, single_line=True, style=heading_style))
            text.append("\n")
            text.append_text(body)
        return text


def _key(value: object) -> tuple[Any, ...]:
    """A comparable stand-in for a field value (Text: plain + style + spans)."""
    if isinstance(value, Text):
        return (value.plain, value.style, tuple(value.spans))
    if isinstance(value, str) or value is None or isinstance(value, (int, float)):
        return (type(value).__name__, value)
    return ("object", id(value))


def _long_text(body: str) -> Text:
    text = literal(body, MAX_LONG_TEXT)
    text.overflow = "fold"
    return text
