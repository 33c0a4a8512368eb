"""Keys against a real Secret Service: gnome-keyring on a private bus (tests/support/keyring_service.py).

Skipped with a reason when gnome-keyring-daemon / dbus-daemon are missing; failed under CI=true.
Each test uses its own profile, because the service is shared by the tests of one worker.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest
from support.keyring_service import (  # noqa: F401 - fixtures
    SecretService,
    secret_service,
    secret_service_keyring,
    secret_service_or_skip,
)

from tui.core import keys

SECRET = "sk-TESTSECRET-0123456789abcdef"
OTHER = "nb-OTHERSECRET-9876543210fedcba"
ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.usefixtures("no_keys")


def tasktop(service: SecretService, *argv: str, stdin: str = "", **env: str):
    proc = subprocess.run([sys.executable, "-m", "tui", *argv], cwd=ROOT, env=service.env(**env),
                          input=stdin.encode(), capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def stored_items(service: SecretService, username: str) -> list[str]:
    """What the Secret Service itself holds for tasktop/<username>, read without keyring."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    with contextlib.closing(open_dbus_connection(bus=service.address)) as conn:
        collection = secretstorage.get_default_collection(conn)
        items = collection.search_items({"service": "tasktop", "username": username})
        return [item.get_secret().decode() for item in items]


def test_cli_set_status_replace_delete(secret_service):
    outputs = []

    def run(*argv, stdin=""):
        code, out, err = tasktop(secret_service, "--profile", "cli", "keys", *argv, stdin=stdin)
        outputs.extend([out, err])
        return code, out, err

    code, out, err = run("set", "enkrypt", stdin=SECRET + "\n")
    assert (code, err) == (0, ""), err
    assert "stored in the keyring (…cdef)" in out and "SecretService" in out
    assert stored_items(secret_service, "cli:enkrypt") == [SECRET]

    code, out, _ = run("status")
    assert code == 0
    assert out.splitlines() == [
        "profile: cli",
        "keyring backend: SecretService Keyring (priority 5)",
        "enkrypt: keyring (…cdef)",
        "nimble: no key",
    ]

    code, out, _ = run("set", "enkrypt", stdin=OTHER)
    assert code == 0 and "replaced the stored key in the keyring (…dcba)" in out
    assert stored_items(secret_service, "cli:enkrypt") == [OTHER]  # replaced, not added

    code, out, _ = run("delete", "enkrypt")
    assert code == 0 and "deleted from the keyring" in out
    assert stored_items(secret_service, "cli:enkrypt") == []
    code, out, _ = run("delete", "enkrypt")
    assert code == 0 and "nothing to delete" in out
    assert run("status")[1].splitlines()[2] == "enkrypt: no key"

    for text in outputs:
        assert SECRET not in text and SECRET[:8] not in text and OTHER[:8] not in text


def test_cli_env_still_wins_over_the_stored_key(secret_service):
    code, _, _ = tasktop(secret_service, "--profile", "envwins", "keys", "set", "nimble",
                         stdin=SECRET)
    assert code == 0
    code, out, _ = tasktop(secret_service, "--profile", "envwins", "keys", "status",
                           TASKTOP_NIMBLE_API_KEY="nb-from-env-000-4321")
    assert code == 0 and "nimble: env (…4321)" in out


def test_in_process_through_the_secret_service_backend(secret_service, secret_service_keyring):
    from keyring.backends import SecretService as backend_module

    assert isinstance(secret_service_keyring, backend_module.Keyring)
    assert keys.backend_description() == "SecretService Keyring (priority 5)"
    assert keys.resolve_key("enkrypt", "inproc") == keys.KeyInfo("enkrypt", "none")
    keys.store_key("enkrypt", SECRET, "inproc")
    assert stored_items(secret_service, "inproc:enkrypt") == [SECRET]
    info = keys.resolve_key("enkrypt", "inproc", strict=True)
    assert (info.source, info.value) == ("keyring", SECRET)
    report = dict(keys.where_is_my_key("inproc"))
    assert report["enkrypt"].label() == "keyring (…cdef)" and report["nimble"].label() == "no key"
    assert keys.delete_key("enkrypt", "inproc") is True
    assert keys.delete_key("enkrypt", "inproc") is False


async def test_async_wrappers_through_the_secret_service(secret_service, secret_service_keyring):
    await keys.store_key_async("nimble", OTHER, "async")
    info = await keys.resolve_key_async("nimble", "async")
    assert (info.source, info.value) == ("keyring", OTHER)
    assert await keys.delete_key_async("nimble", "async") is True


def test_a_locked_collection_is_reported_as_locked():
    """Own instance: once locked, unlocking needs a prompt, which this headless one cannot show."""
    with secret_service_or_skip() as service:
        assert tasktop(service, "keys", "set", "enkrypt", stdin=SECRET)[0] == 0
        service.lock_default_collection()
        code, out, err = tasktop(service, "keys", "status")
        assert code == 0 and "enkrypt: no key (keyring locked)" in out
        assert "keyring is locked or access was denied; KeyringLocked" in err
        code, _, err = tasktop(service, "keys", "set", "enkrypt", stdin=OTHER)
        assert code == 3 and "TASKTOP_ENKRYPT_API_KEY" in err
        assert SECRET[:8] not in out + err


def test_a_dead_session_bus_is_named():
    """DBUS_SESSION_BUS_ADDRESS left over from a session that is gone (stale SSH/tmux env)."""
    with secret_service_or_skip() as other:
        env = other.env()
    # `other` is stopped now: its bus address points at nothing, as after a crashed session.
    proc = subprocess.run([sys.executable, "-m", "tui", "keys", "status"], cwd=ROOT, env=env,
                          capture_output=True, timeout=60)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0
    socket = env["DBUS_SESSION_BUS_ADDRESS"].split("=", 1)[1].split(",")[0]
    backend = f"none (fail.Keyring; no D-Bus session bus: its socket {socket} is gone)"
    assert f"keyring backend: {backend}" in out
    assert "enkrypt: no key (no D-Bus session bus)" in out
    assert err.startswith("tasktop keys: no usable keyring (no D-Bus session bus: its socket")
