"""The start tab's first list call, sent from a thread as soon as the CLI knows URL and key.

Importing Textual and building the screen takes ~0.3 s; the first page's round trip comes on top
of that when it is only sent once the screen exists (on a real API over TLS, 0.1-0.5 s more).
Sent from a thread while the main thread imports, the answer is usually there when the table is,
so the first frame already shows rows. The thread has its own event loop and its own client (an
httpx client belongs to the loop that opened its connections); the app's client takes the answer
through `ProviderClient.preload`, and asks again itself if the early call failed.

Both threads need the GIL: the main thread imports for ~0.3 s without a pause, and at the default
switch interval (5 ms) the fetch thread got so few turns that its answer came after the screen
was built. While it runs, the interpreter switches every 0.5 ms instead; measured, the answer is
then ready when the first tab asks for it (in 9 to 11 of 11 launches per measurement; was 1 of 8).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from tui.providers.base import PageRequest
from tui.providers.client import ProviderClient

#: Seconds between GIL hand-overs while the first page is fetched (Python's default: 0.005).
SWITCH_INTERVAL = 0.0005


def fetch_in_thread(
    new_client: Callable[[], ProviderClient], call: str, request: PageRequest
) -> Future[Any]:
    """Start `new_client().<call>(request)` on a daemon thread; its answer (or error) arrives in
    the returned future. The thread's client is closed before the future is resolved."""
    answer: Future[Any] = Future()

    async def fetch() -> Any:
        async with new_client() as client:
            return await getattr(client, call)(request)

    def run() -> None:
        try:
            try:
                page = asyncio.run(fetch())
            finally:
                sys.setswitchinterval(default_interval)
        except BaseException as error:  # noqa: BLE001 - handed over whole; the app retries
            answer.set_exception(error)
        else:
            answer.set_result(page)

    default_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(default_interval, SWITCH_INTERVAL))
    threading.Thread(target=run, name="tasktop-first-page", daemon=True).start()
    return answer
