"""Textual's Footer without its slow leak: every recompose used to keep the old keys alive.

Footer recomposes whenever the bindings change (each tab switch, each focus change). Every FooterKey
it builds is `data_bind(compact=Footer.compact)`, which registers a watcher *on the Footer*; Textual
prunes a reactive's watchers only when that reactive changes, and `compact` never does, so each
recompose leaked the previous FooterKeys with their styles and caches (Textual issue #6666) —
about 7 MiB a minute in a soak with a key pressed every second. After each recompose this footer
drops the watchers whose widget is gone.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["LeanFooter"]


class LeanFooter(Footer):
    """A Footer whose recomposes release the keys they replace, and whose keys stay in the order
    their bindings are declared (Textual moves a binding a keymap rebinds to the end)."""

    _recompose_queued = False
    #: What the keys on show were built from (`_shown_keys`); None before the first build.
    _built_from: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        """Footer.bindings_changed, queueing at most one recompose: each change queued its own,
        and the first frame's focus and mount changes rebuilt every key three times over while
        the first page's get-task calls waited. The queued one reads the bindings when it runs."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_queued:
            self._recompose_queued = True
            self.call_after_refresh(self._queued_recompose)

    async def _queued_recompose(self) -> None:
        self._recompose_queued = False  # a change from now on is not seen by this one: queue anew
        if self._built_from is not None and self._shown_keys() == self._built_from:
            return  # a change that shows the same keys (focus lands: Textual says so twice)
        await self.recompose()

    def _shown_keys(self) -> tuple:
        """Everything `compose` builds the keys from, comparable with an earlier look."""
        if not self._bindings_ready or not self.is_attached:
            return ()
        app = self.app
        shown = tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        palette = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        return (shown, palette and palette[1:], self.show_command_palette,
                app.ENABLE_COMMAND_PALETTE, tuple(self._declared_order().items()))

    def compose(self) -> ComposeResult:
        self._built_from = self._shown_keys()
        widgets = list(super().compose())
        if not all(isinstance(widget, FooterKey) for widget in widgets):
            yield from widgets  # key groups: Textual's own order
            return
        rank = self._declared_order()
        palette = [widget for widget in widgets if widget.has_class("-command-palette")]
        keys = [widget for widget in widgets if not widget.has_class("-command-palette")]
        keys.sort(key=lambda widget: rank.get(widget.action, len(rank)))
        yield from keys + palette

    def _declared_order(self) -> dict[str, int]:
        """Action → its place among the shown bindings of the chain, in the order declared."""
        screen = self.screen
        focused = screen.focused
        nodes = focused.ancestors_with_self if focused is not None else [screen, self.app]
        rank: dict[str, int] = {}
        for node in nodes:
            for _key, binding in node._bindings:
                if binding.show:
                    rank.setdefault(binding.action, len(rank))
        return rank

    async def recompose(self) -> None:
        await super().recompose()
        self.prune_watchers()

    def prune_watchers(self) -> int:
        """Forget watchers registered by widgets that have been removed; returns how many."""
        watchers: dict[str, list] = getattr(self, "__watchers", {})
        dropped = 0
        for entries in watchers.values():
            keep = [(node, callback) for node, callback in entries if not _gone(node)]
            dropped += len(entries) - len(keep)
            entries[:] = keep
        return dropped


def _gone(node: object) -> bool:
    return bool(getattr(node, "_closing", False) or getattr(node, "_closed", False))
