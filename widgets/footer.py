"""Textual's Footer without its slow leak: every recompose used to keep the old keys alive.

Footer recomposes whenever the bindings change (each tab switch, each focus change). Every FooterKey
it builds is `data_bind(compact=Footer.compact)`, which registers a watcher *on the Footer*; Textual
prunes a reactive's watchers only when that reactive changes, and `compact` never does, so each
recompose leaked the previous FooterKeys with their styles and caches (Textual issue #6666) —
about 7 MiB a minute in a soak with a key pressed every second. After each recompose this footer
drops the watchers whose widget is gone.
"""

from __future__ import annotations

from textual.widgets import Footer

__all__ = ["LeanFooter"]


class LeanFooter(Footer):
    """A Footer whose recomposes release the keys they replace."""

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
