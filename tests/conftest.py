"""Shared fixtures, kept small: the simulator and environment hygiene."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tui.sim.server import SimServer, start_simulator


@pytest.fixture
def sim() -> Iterator[SimServer]:
    """A fresh simulator on a free loopback port: seed 0, clock frozen at the sim epoch."""
    server = start_simulator(seed=0, port=0, manual_clock=True)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def neighbour_pages(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Idle tabs fetch their next page 0.5 s after it settles: a request no test counting calls
    or spending a fault expects. Only tests marked `neighbours` have it."""
    from tui.core import neighbours

    marked = request.node.get_closest_marker("neighbours") is not None
    monkeypatch.setattr(neighbours, "ENABLED", marked)


@pytest.fixture(autouse=True)
def history_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The history file of any tasktop a test starts (in-process or as a child) lands in a
    temporary state dir, never the developer's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No TASKTOP_* variables from the developer's shell leak into the test."""
    for name in list(os.environ):
        if name.startswith("TASKTOP_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No API key from the environment and no session key: each test states the keys it has."""
    from tui.core import keys

    for name in (*keys.ENV_VARS.values(), keys.TIMEOUT_ENV):
        monkeypatch.delenv(name, raising=False)
    keys._session.clear()
    yield
    keys._session.clear()


@pytest.fixture
def ek(sim) -> dict[str, str]:
    """Enkrypt auth header for the simulator's demo key."""
    return {"apikey": sim.enkrypt_key}


@pytest.fixture
def nk(sim) -> dict[str, str]:
    """Nimble auth header for the simulator's demo key."""
    return {"Authorization": f"Bearer {sim.nimble_key}"}


@pytest.fixture
def env(sim, clean_env, tmp_path):
    """CLI environment pointing at the simulator, with both keys; no user config, no keyring."""
    clean_env.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    clean_env.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    clean_env.setenv("TASKTOP_ENKRYPT_URL", sim.url)
    clean_env.setenv("TASKTOP_NIMBLE_URL", sim.url)
    clean_env.setenv("TASKTOP_ENKRYPT_API_KEY", sim.enkrypt_key)
    clean_env.setenv("TASKTOP_NIMBLE_API_KEY", sim.nimble_key)
    return clean_env


@pytest.fixture
def cli(env, capsys):
    """`tasktop ARGS…` run in-process under `env`: (exit code, stdout, stderr)."""
    from tui.commands.main import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
