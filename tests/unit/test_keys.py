"""tui.core.keys: lookup order, session store, the timed keyring gate, typed failures, masking."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from keyring.backends import fail
from keyring.errors import KeyringLocked, NoKeyringError, PasswordSetError
from support.keyring_service import (  # noqa: F401
    BlockingKeyring,
    MemoryKeyring,
    unavailable,
    use_backend,
)

from tui.core import keys

SECRET = "sk-TESTSECRET-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.usefixtures("no_keys")


# --- KeyInfo --------------------------------------------------------------------------------------


def test_keyinfo_never_shows_the_value():
    info = keys.KeyInfo("enkrypt", "keyring", SECRET)
    for text in (repr(info), str(info), info.masked(), info.label(), f"{info}", f"{info!r}"):
        assert SECRET not in text and SECRET[:8] not in text
    assert info.label() == "keyring (…cdef)"
    assert info.masked() == "key: keyring …cdef"


def test_short_keys_show_nothing_at_all():
    info = keys.KeyInfo("nimble", "env", "abcdefghijk")  # 11 characters
    assert info.tail() == "" and info.label() == "env" and "hijk" not in repr(info) + str(info)
    assert keys.KeyInfo("nimble", "none").label() == "no key"


def test_username_is_profile_colon_provider():
    assert keys.keyring_username("enkrypt") == "default:enkrypt"
    assert keys.keyring_username("nimble", "work") == "work:nimble"
    with pytest.raises(ValueError):
        keys.keyring_username("datasets")


# --- lookup order ---------------------------------------------------------------------------------


def test_env_overrides_session_and_keyring(use_backend, monkeypatch):
    backend = use_backend(MemoryKeyring())
    backend.set_password("tasktop", "default:enkrypt", "k" * 20)
    keys.remember_session_key("enkrypt", None, "s" * 20)
    monkeypatch.setenv("TASKTOP_ENKRYPT_API_KEY", f"  {SECRET}\n")
    info = keys.resolve_key("enkrypt")
    assert (info.source, info.value) == ("env", SECRET)
    assert backend.gets == 0


def test_session_key_wins_over_keyring_and_store_forgets_it(use_backend):
    backend = use_backend(MemoryKeyring())
    backend.set_password("tasktop", "default:nimble", "k" * 20)
    keys.remember_session_key("nimble", "default", "s" * 20)
    assert keys.resolve_key("nimble").source == "session"
    keys.store_key("nimble", "n" * 20)
    info = keys.resolve_key("nimble")
    assert (info.source, info.value) == ("keyring", "n" * 20)


def test_keyring_then_none(use_backend):
    use_backend(MemoryKeyring())
    assert keys.resolve_key("enkrypt") == keys.KeyInfo("enkrypt", "none")
    keys.store_key("enkrypt", SECRET, "work")
    assert keys.resolve_key("enkrypt").source == "none"  # other profile
    assert keys.resolve_key("enkrypt", "work").value == SECRET


def test_delete_reports_whether_a_key_was_there(use_backend):
    backend = use_backend(MemoryKeyring())
    keys.store_key("enkrypt", SECRET)
    assert keys.delete_key("enkrypt") is True
    assert keys.delete_key("enkrypt") is False
    assert backend.store == {}


def test_store_refuses_an_empty_key(use_backend):
    backend = use_backend(MemoryKeyring())
    with pytest.raises(ValueError):
        keys.store_key("enkrypt", "  \n")
    assert backend.store == {}


def test_env_path_does_not_import_keyring():
    code = (
        "import sys\n"
        "from tui.core import keys\n"
        "info = keys.resolve_key('enkrypt', env={'TASKTOP_ENKRYPT_API_KEY': 'x' * 20})\n"
        "assert info.source == 'env', info\n"
        "assert 'keyring' not in sys.modules, 'keyring imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


# --- failures -------------------------------------------------------------------------------------


def test_fail_backend_gives_a_clear_one_line_message(use_backend, monkeypatch, tmp_path):
    use_backend(fail.Keyring())
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}")  # a bus that exists
    with pytest.raises(keys.KeyringUnavailable) as caught:
        keys.store_key("enkrypt", SECRET)
    exc = caught.value
    assert exc.kind == "no-backend"
    message = str(exc)
    assert "\n" not in message and message.startswith("no usable keyring (NoKeyringError")
    for needle in ("TASKTOP_ENKRYPT_API_KEY", "TASKTOP_NIMBLE_API_KEY", "Secret Service",
                   "macOS Keychain", "Windows Credential Locker"):
        assert needle in message
    assert keys.backend_description() == "none (fail.Keyring)"


def test_fail_backend_without_dbus_says_dbus(use_backend, monkeypatch):
    use_backend(fail.Keyring())
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(keys.KeyringUnavailable) as caught:
        keys.resolve_key("nimble", strict=True)
    assert caught.value.kind == "no-dbus"
    assert "DBUS_SESSION_BUS_ADDRESS" in str(caught.value)


def test_fail_backend_with_a_dead_bus_names_the_socket(use_backend, monkeypatch):
    use_backend(fail.Keyring())
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus,guid=0")
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(keys.KeyringUnavailable) as caught:
        keys.keyring_key("enkrypt")
    assert caught.value.kind == "no-dbus"
    assert "no D-Bus session bus: its socket /nonexistent/bus is gone" in str(caught.value)
    assert keys.backend_description() == (
        "none (fail.Keyring; no D-Bus session bus: its socket /nonexistent/bus is gone)"
    )


def test_session_key_works_when_the_keyring_does_not(use_backend):
    use_backend(fail.Keyring())
    info = keys.resolve_key("enkrypt")
    assert info.source == "none" and "no usable keyring" in info.problem
    keys.remember_session_key("enkrypt", None, SECRET)
    info = keys.resolve_key("enkrypt")
    assert (info.source, info.value, info.problem) == ("session", SECRET, None)
    keys.remember_session_key("enkrypt", None, "")
    assert keys.resolve_key("enkrypt").source == "none"


class _Raising(MemoryKeyring):
    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service, username):
        raise self.exc

    def set_password(self, service, username, password):
        raise PasswordSetError(f"could not save {password!r} for {username}: " + "x" * 200)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (KeyringLocked("Failed to unlock the collection!"), "locked"),
        (NoKeyringError("nothing"), "no-backend"),
        (ConnectionRefusedError(111, "Connection refused"), "no-dbus"),
        (RuntimeError("weird"), "error"),
    ],
)
def test_failures_are_typed(use_backend, monkeypatch, tmp_path, exc, kind):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}")  # a bus that exists
    use_backend(_Raising(exc))
    with pytest.raises(keys.KeyringUnavailable) as caught:
        keys.keyring_key("enkrypt")
    assert caught.value.kind == kind
    assert type(exc).__name__ in str(caught.value)


def test_errors_never_carry_the_key(use_backend):
    use_backend(_Raising(RuntimeError("unused")))
    with pytest.raises(keys.KeyringUnavailable) as caught:
        keys.store_key("enkrypt", SECRET)
    exc = caught.value
    assert exc.__cause__ is None and exc.__context__ is None
    rendered = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)
    assert SECRET not in rendered and SECRET[:8] not in rendered
    assert "PasswordSetError" in rendered and "***" in rendered


def render_with_locals(exc: BaseException) -> str:
    """The exception as Textual's crash report renders it: rich traceback with frame locals."""
    from rich.console import Console
    from rich.traceback import Traceback

    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True,
                                           locals_max_length=50, locals_max_string=500))
    return console.file.getvalue()


@pytest.mark.timeout(20)
def test_crash_reports_with_locals_never_show_the_key(use_backend):
    use_backend(_Raising(RuntimeError("unused")))
    with pytest.raises(keys.KeyringUnavailable) as caught:
        keys.store_key("enkrypt", SECRET)
    use_backend(BlockingKeyring())
    with pytest.raises(keys.KeyringUnavailable) as timed_out:
        keys.store_key("enkrypt", SECRET, timeout=0.3)
    with pytest.raises(keys.KeyringUnavailable) as direct:
        keys.call_keyring(lambda kr: kr.set_password("s", "u", SECRET), secret=SECRET, timeout=0.3)
    for exc in (caught.value, timed_out.value, direct.value):
        rendered = render_with_locals(exc)
        assert "timeout" in rendered  # locals were rendered
        assert SECRET[:8] not in rendered


@pytest.mark.timeout(20)
async def test_async_crash_reports_never_show_the_key(use_backend):
    use_backend(_Raising(RuntimeError("unused")))
    with pytest.raises(keys.KeyringUnavailable) as caught:
        await keys.store_key_async("nimble", SECRET)
    rendered = render_with_locals(caught.value)
    assert "store_key_async" in rendered and SECRET[:8] not in rendered


@pytest.mark.timeout(20)
def test_blocking_backend_times_out_instead_of_freezing(use_backend):
    backend = use_backend(BlockingKeyring())
    with pytest.raises(keys.KeyringUnavailable) as caught:
        keys.keyring_key("enkrypt", timeout=0.3)
    assert caught.value.kind == "timeout"
    assert "0.3 s" in str(caught.value)
    assert backend.entered.is_set() and not backend.release.is_set()  # it returned while blocked
    info = keys.resolve_key("nimble", timeout=0.3)
    assert info.source == "none" and "did not answer" in info.problem


@pytest.mark.timeout(20)
def test_timeout_comes_from_the_env_var(use_backend, monkeypatch):
    use_backend(BlockingKeyring())
    monkeypatch.setenv(keys.TIMEOUT_ENV, "0.3")
    assert keys.keyring_timeout() == 0.3
    with pytest.raises(keys.KeyringUnavailable, match="0.3 s"):
        keys.store_key("nimble", SECRET)
    monkeypatch.setenv(keys.TIMEOUT_ENV, "nonsense")
    assert keys.keyring_timeout() == keys.DEFAULT_TIMEOUT


@pytest.mark.timeout(20)
def test_where_is_my_key_waits_out_one_timeout_not_two(use_backend, monkeypatch):
    backend = use_backend(BlockingKeyring())
    entered = []
    original = backend._block

    def counting_block():
        entered.append(1)
        original()

    backend._block = counting_block
    monkeypatch.setenv("TASKTOP_NIMBLE_API_KEY", "n" * 16)
    report = dict(keys.where_is_my_key(timeout=0.3))
    assert isinstance(report["enkrypt"], keys.KeyringUnavailable)
    assert report["enkrypt"].kind == "timeout"
    assert report["nimble"].label() == "env (…nnnn)"
    assert len(entered) == 1


def test_where_is_my_key_reports_every_provider(use_backend):
    use_backend(MemoryKeyring())
    keys.store_key("nimble", SECRET)
    report = keys.where_is_my_key()
    labels = [(provider, info.label()) for provider, info in report]
    assert labels == [("enkrypt", "no key"), ("nimble", "keyring (…cdef)")]


def test_backend_description_names_the_backend(use_backend):
    use_backend(MemoryKeyring())
    assert keys.backend_description() == f"{MemoryKeyring.name} (priority 1)"


# --- async wrappers -------------------------------------------------------------------------------


@pytest.mark.timeout(30)
async def test_async_resolve_keeps_the_loop_running(use_backend):
    """The loop must stay free while the keyring blocks: the loop itself releases the backend."""
    backend = use_backend(BlockingKeyring())
    backend.get_password = lambda s, u: (backend._block(), SECRET)[1]
    task = asyncio.create_task(keys.resolve_key_async("enkrypt", timeout=20))
    while not backend.entered.is_set():  # the loop keeps turning while the keyring call is parked
        await asyncio.sleep(0.01)
    assert not task.done()
    backend.release.set()
    info = await task
    assert (info.source, info.value) == ("keyring", SECRET)


async def test_async_store_and_delete(use_backend):
    backend = use_backend(MemoryKeyring())
    info = await keys.store_key_async("nimble", SECRET, "p")
    assert info.source == "keyring" and backend.store == {("tasktop", "p:nimble"): SECRET}
    assert await keys.delete_key_async("nimble", "p") is True


@pytest.mark.timeout(20)
async def test_async_timeout_raises_typed(use_backend):
    use_backend(BlockingKeyring())
    with pytest.raises(keys.KeyringUnavailable) as caught:
        await keys.store_key_async("enkrypt", SECRET, timeout=0.3)
    assert caught.value.kind == "timeout"
    info = await keys.resolve_key_async("enkrypt", timeout=0.3)
    assert info.source == "none" and info.problem


async def test_async_env_answers_without_the_keyring(use_backend):
    backend = use_backend(MemoryKeyring())
    info = await keys.resolve_key_async("enkrypt", env={"TASKTOP_ENKRYPT_API_KEY": SECRET})
    assert info.source == "env" and backend.gets == 0


# --- the test helper's CI rule --------------------------------------------------------------------


def test_missing_secret_service_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        unavailable("no Secret Service: test")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="no Secret Service"):
        unavailable("no Secret Service: test")
