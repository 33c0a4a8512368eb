"""How many rows a page has when the user did not choose: as many as the table shows.

Pure arithmetic on the terminal's size, so the CLI can size the first list call it sends before
Textual is even imported (tui.process.prefetch) exactly as the app will: the lines around the table are
the app's layout (tui/ui/app.tcss), counted here.
"""

from __future__ import annotations

#: The largest page the APIs serve (Enkrypt's per_page is 1-100; Nimble's limit has no stated
#: maximum, so its pages are capped alike).
MAX_ROWS = 100

#: Terminals narrower than this get the "-narrow" layout (the app's first breakpoint).
NARROW_BELOW = 100

#: Lines that are not rows: the tab bar (2), the status line (1), the table's header (1) and the
#: footer (1). Narrow terminals give the refresh badge a line of its own.
CHROME_LINES = 5


def rows_that_fit(width: int, height: int) -> int:
    """Rows of the table at this terminal size, between 1 and `MAX_ROWS`."""
    chrome = CHROME_LINES + (1 if width < NARROW_BELOW else 0)
    return max(1, min(MAX_ROWS, height - chrome))
