"""Fixtures that make the toy tab package (package/) discoverable and run its fake queue."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

#: The folder holding toytab/ and its dist-info, as site-packages would hold an installed one.
PACKAGE = Path(__file__).resolve().parent / "package"


@pytest.fixture
def toy_on_path() -> Iterator[Path]:
    """The toy package on sys.path, and the tab registry looking again (and again after)."""
    from tui.tabs import registry

    sys.path.insert(0, str(PACKAGE))
    registry.reset()
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(PACKAGE))
        for name in [m for m in sys.modules if m == "toytab" or m.startswith("toytab.")]:
            del sys.modules[name]
        registry.reset()


@pytest.fixture
def toy_server(toy_on_path):
    from toytab.server import ToyServer

    server = ToyServer()
    try:
        yield server
    finally:
        server.stop()
