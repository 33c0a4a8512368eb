"""Keyring test helpers: a throwaway real Secret Service, and in-memory / blocking backends.

The Secret Service is gnome-keyring on a private D-Bus session bus.

No need to wrap pytest in dbus-run-session: `start_secret_service()` starts its own `dbus-daemon`
(a private config: socket in a temp dir, no service activation, so nothing else gets spawned) and
`gnome-keyring-daemon --foreground --unlock --components=secrets` fed a password on stdin, with
HOME and XDG_* pointed into the same temp dir, so a real user keyring is never touched and no prompt
can reach a real display. Each pytest-xdist worker that needs one starts its own pair (the session
fixture is per worker process), so workers never share or fight; `stop()` ends both processes and
removes the dir, and on Linux they also die with the process that started them.

Missing programs => the tests are skipped with the reason, or fail when CI=true (CI must run them).
Packages: see .ci/keyring-setup.sh.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

SETUP_HINT = "see .ci/keyring-setup.sh"
SECRETS_NAME = "org.freedesktop.secrets"
#: Variables that would let a test reach the developer's own session, keyring, or display.
SCRUBBED = ("DISPLAY", "WAYLAND_DISPLAY", "GNOME_KEYRING_CONTROL", "PYTHON_KEYRING_BACKEND",
            "SSH_AUTH_SOCK", "DBUS_SESSION_BUS_PID", "TASKTOP_ENKRYPT_API_KEY",
            "TASKTOP_NIMBLE_API_KEY")

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SecretServiceUnavailable(RuntimeError):
    """The programs are missing or did not come up; str() is the skip reason."""


@dataclass
class SecretService:
    """A running private bus + gnome-keyring. `overrides` are the env vars that point at it."""

    root: Path
    address: str
    overrides: dict[str, str]
    procs: list[subprocess.Popen] = field(default_factory=list)

    def env(self, base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
        """A full environment for a subprocess that should use this Secret Service."""
        env = {k: v for k, v in (os.environ if base is None else base).items() if k not in SCRUBBED}
        env.update(self.overrides)
        env.update(extra)
        return env

    def lock_default_collection(self) -> None:
        """Lock the default collection, as a screen lock would (unlocking needs a prompt)."""
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        with contextlib.closing(open_dbus_connection(bus=self.address)) as conn:
            secretstorage.get_default_collection(conn).lock()

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        self.procs.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def missing_programs() -> str | None:
    """The skip reason when a needed program is not installed, else None."""
    for program in ("gnome-keyring-daemon", "dbus-daemon"):
        if shutil.which(program) is None:
            return f"no Secret Service: {program} not installed; {SETUP_HINT}"
    try:
        import jeepney  # noqa: F401
        import secretstorage  # noqa: F401
    except ImportError as exc:
        return f"no Secret Service: Python package {exc.name} missing (keyring's Linux deps)"
    return None


def start_secret_service(password: str = "tasktop-test", timeout: float = 15.0) -> SecretService:
    """Start a private bus and an unlocked gnome-keyring on it. Raises SecretServiceUnavailable."""
    reason = missing_programs()
    if reason:
        raise SecretServiceUnavailable(reason)
    root = Path(tempfile.mkdtemp(prefix="tasktop-ss-"))  # short: unix socket paths max ~107 bytes
    dirs = {name: root / name for name in ("home", "run", "data", "config", "cache")}
    for path in dirs.values():
        path.mkdir(mode=0o700)
    socket = dirs["run"] / "bus"
    (root / "bus.conf").write_text(_BUS_CONFIG.format(socket=socket))
    service = SecretService(root=root, address="", overrides={})
    atexit.register(service.stop)
    try:
        bus = _spawn(["dbus-daemon", "--config-file", str(root / "bus.conf"), "--nofork",
                      "--print-address=1"], root / "dbus.log", stdout=subprocess.PIPE)
        service.procs.append(bus)
        address = bus.stdout.readline().decode().strip() if bus.stdout else ""
        if not address:
            raise SecretServiceUnavailable(_why("dbus-daemon did not start", root / "dbus.log"))
        service.address = address
        service.overrides = {
            "DBUS_SESSION_BUS_ADDRESS": address,
            "HOME": str(dirs["home"]),
            "XDG_RUNTIME_DIR": str(dirs["run"]),
            "XDG_DATA_HOME": str(dirs["data"]),
            "XDG_CONFIG_HOME": str(dirs["config"]),
            "XDG_CACHE_HOME": str(dirs["cache"]),
        }
        argv = ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"]
        keyring = _spawn(argv, root / "gnome-keyring.log", stdin=subprocess.PIPE,
                         env=service.env())
        service.procs.append(keyring)
        assert keyring.stdin is not None
        keyring.stdin.write(password.encode())
        keyring.stdin.close()
        _wait_for_name(address, keyring, root / "gnome-keyring.log", timeout)
    except BaseException:
        service.stop()
        raise
    return service


def _spawn(argv: list[str], log: Path, **kwargs) -> subprocess.Popen:
    with open(log, "wb") as sink:
        kwargs.setdefault("stdout", sink)
        return subprocess.Popen(argv, stderr=sink, preexec_fn=_die_with_parent, **kwargs)


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the starting process dies (Linux), so nothing is orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_for_name(address: str, daemon: subprocess.Popen, log: Path, timeout: float) -> None:
    """Wait until gnome-keyring owns org.freedesktop.secrets on the bus (or exits, or times out)."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + timeout
    with contextlib.closing(open_dbus_connection(bus=address)) as conn:
        while True:
            reply = conn.send_and_get_reply(message_bus.NameHasOwner(SECRETS_NAME), timeout=5)
            if reply.body[0]:
                return
            try:  # a condition wait: returns at once if the daemon exits
                daemon.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
            else:
                raise SecretServiceUnavailable(_why("gnome-keyring-daemon exited", log))
            if time.monotonic() > deadline:
                raise SecretServiceUnavailable(_why(f"no {SECRETS_NAME} after {timeout:g} s", log))


def _why(what: str, log: Path) -> str:
    tail = " ".join(log.read_text(errors="replace").split()[-30:]) if log.exists() else ""
    return f"no Secret Service: {what}: {tail}; {SETUP_HINT}"


def unavailable(reason: str) -> None:
    """Skip with the reason; under CI=true fail instead, because CI must really run these tests."""
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason} (CI=true: Secret Service tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def secret_service_or_skip(password: str = "tasktop-test") -> Iterator[SecretService]:
    try:
        service = start_secret_service(password)
    except SecretServiceUnavailable as exc:
        unavailable(str(exc))
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretService]:
    """One private Secret Service per test process (per xdist worker), stopped at session end."""
    with secret_service_or_skip() as service:
        yield service


@pytest.fixture
def secret_service_keyring(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch):
    """In-process: keyring.backends.SecretService.Keyring talking to the private service."""
    import keyring
    import keyring.core
    from keyring.backends import SecretService as backend_module

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.address)
    saved = keyring.core._keyring_backend  # noqa: SLF001 - restore whatever was there
    backend = backend_module.Keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.core._keyring_backend = saved  # noqa: SLF001


class MemoryKeyring(KeyringBackend):
    """A dict-backed backend that counts get_password calls."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.gets = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.gets += 1
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")


class BlockingKeyring(KeyringBackend):
    """Every call blocks until `release` is set, like a Secret Service waiting on a prompt."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        import threading

        self.release = threading.Event()
        self.entered = threading.Event()

    def _block(self) -> None:
        self.entered.set()
        self.release.wait()

    def get_password(self, service: str, username: str) -> str | None:
        self._block()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._block()

    def delete_password(self, service: str, username: str) -> None:
        self._block()


@pytest.fixture
def use_backend() -> Iterator:
    """`use_backend(backend)` installs a keyring backend for one test; the previous one comes back.

    Blocking backends are released at teardown so no parked thread outlives the test.
    """
    import keyring
    import keyring.core

    saved = keyring.core._keyring_backend  # noqa: SLF001
    installed: list = []

    def install(backend):
        installed.append(backend)
        keyring.set_keyring(backend)
        return backend

    try:
        yield install
    finally:
        for backend in installed:
            if isinstance(backend, BlockingKeyring):
                backend.release.set()
        keyring.core._keyring_backend = saved  # noqa: SLF001
