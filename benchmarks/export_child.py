"""`python -m benchmarks.export_child csv|json`: export every Nimble page into the working
directory with the function the export dialog calls, then exit; figure 8 measures this process."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

from tui.core.export_walk import ALL_PAGE_SIZE, export_all
from tui.providers.base import PageRequest
from tui.providers.nimble import NimbleClient


async def _export(fmt: str) -> None:
    url, key = os.environ["TASKTOP_NIMBLE_URL"], os.environ["TASKTOP_NIMBLE_API_KEY"]
    async with NimbleClient(url, key, 30) as client:
        path, walk = await export_all(
            client.list_tasks, PageRequest(limit=ALL_PAGE_SIZE), "nimble", fmt,  # type: ignore[arg-type]
            now=datetime.now(UTC), key=lambda task: task.id,
        )
    print(f"{walk.rows} rows, {walk.pages} pages -> {path.name}", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(_export(sys.argv[1]))
