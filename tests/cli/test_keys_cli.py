"""`tasktop keys set|delete|status`: behaviour, exit codes, and no output ever carries a key."""

from __future__ import annotations

import getpass
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import fail
from support.keyring_service import BlockingKeyring, MemoryKeyring, use_backend  # noqa: F401

from tui.commands import main as cli
from tui.core import keys

SECRET = "sk-TESTSECRET-0123456789abcdef"
OTHER = "nb-OTHERSECRET-9876543210fedcba"
ROOT = Path(__file__).resolve().parents[2]
USER = ("tasktop", "default:enkrypt")


pytestmark = pytest.mark.usefixtures("no_keys")


@pytest.fixture
def memory(use_backend):
    return use_backend(MemoryKeyring())


class Run:
    """Runs `tasktop …` in-process; remembers every output for the hygiene checks."""

    def __init__(self, capsys, monkeypatch):
        self.capsys, self.monkeypatch, self.outputs = capsys, monkeypatch, []

    def __call__(self, *argv: str, stdin: str = ""):
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(argv))
        out, err = self.capsys.readouterr()
        self.outputs += [out, err]
        return code, out, err


@pytest.fixture
def run(capsys, monkeypatch):
    return Run(capsys, monkeypatch)


def test_set_reads_stdin_strips_and_stores(run, memory):
    code, out, err = run("keys", "set", "enkrypt", stdin=f"  {SECRET}\n")
    assert code == 0 and err == ""
    assert memory.store == {USER: SECRET}
    assert out.startswith("enkrypt: stored in the keyring (…cdef), profile 'default'")
    code, out, _ = run("keys", "set", "enkrypt", stdin=OTHER)
    assert code == 0 and "replaced the stored key" in out
    assert memory.store == {USER: OTHER}


def test_set_prompts_hidden_on_a_terminal(run, memory, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    prompts = []

    def fake_getpass(prompt="Password: ", stream=None):
        prompts.append(prompt)
        return SECRET + " "

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    monkeypatch.setattr(sys, "stdin", Tty("stdin must not be read"))
    assert cli.main(["keys", "set", "nimble"]) == 0
    assert prompts == ["nimble API key (input hidden): "]
    assert memory.store == {("tasktop", "default:nimble"): SECRET}


@pytest.mark.parametrize("given", ["", "   \n", "sk-one two", "sk-abc\nsk-def"])
def test_set_refuses_empty_or_whitespace_keys(run, memory, given):
    code, out, err = run("keys", "set", "enkrypt", stdin=given)
    assert code == 2 and out == "" and "nothing stored" in err
    assert memory.store == {}


def test_set_without_keyring_exits_3_and_names_the_env_var(run, use_backend):
    use_backend(fail.Keyring())
    code, out, err = run("keys", "set", "nimble", stdin=SECRET)
    assert code == 3 and out == ""
    first, hint = err.splitlines()
    assert first.startswith("tasktop keys: cannot store the nimble key: no usable keyring (")
    assert "TASKTOP_ENKRYPT_API_KEY / TASKTOP_NIMBLE_API_KEY" in first
    assert hint == (
        "tasktop keys: hint: export TASKTOP_NIMBLE_API_KEY from your password manager instead."
    )


def test_set_notes_that_the_env_var_wins(run, memory, monkeypatch):
    monkeypatch.setenv("TASKTOP_ENKRYPT_API_KEY", OTHER)
    code, out, _ = run("keys", "set", "enkrypt", stdin=SECRET)
    assert code == 0 and "TASKTOP_ENKRYPT_API_KEY is set here and takes precedence" in out


def test_delete_present_and_missing(run, memory):
    memory.store[USER] = SECRET
    code, out, _ = run("keys", "delete", "enkrypt")
    assert (code, out) == (0, "enkrypt: deleted from the keyring, profile 'default'.\n")
    assert memory.store == {}
    code, out, _ = run("keys", "delete", "enkrypt")
    assert code == 0
    assert "no key stored in the keyring for profile 'default'; nothing to delete" in out


def test_delete_without_keyring_exits_3(run, use_backend):
    use_backend(fail.Keyring())
    code, _, err = run("keys", "delete", "enkrypt")
    assert code == 3 and "no usable keyring" in err


def test_status_lines(run, memory, monkeypatch):
    memory.store[("tasktop", "default:nimble")] = "nb-1234567890-1234"
    monkeypatch.setenv("TASKTOP_ENKRYPT_API_KEY", "ek-abcdef-f3a9")
    code, out, err = run("keys", "status")
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "profile: default",
        f"keyring backend: {MemoryKeyring.name} (priority 1)",
        "enkrypt: env (…f3a9)",
        "nimble: keyring (…1234)",
    ]


def test_status_short_key_and_no_key(run, memory, monkeypatch):
    monkeypatch.setenv("TASKTOP_NIMBLE_API_KEY", "short-key")
    _, out, _ = run("keys", "status")
    assert out.splitlines()[2:] == ["enkrypt: no key", "nimble: env"]


def test_status_without_keyring(run, use_backend, monkeypatch, tmp_path):
    use_backend(fail.Keyring())
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}")  # a bus that exists
    monkeypatch.setenv("TASKTOP_ENKRYPT_API_KEY", SECRET)
    code, out, err = run("keys", "status")
    assert code == 0
    assert out.splitlines() == [
        "profile: default",
        "keyring backend: none (fail.Keyring)",
        "enkrypt: env (…cdef)",
        "nimble: no key (no keyring backend)",
    ]
    assert err.startswith("tasktop keys: no usable keyring (NoKeyringError")


@pytest.mark.timeout(30)
def test_status_with_a_hung_keyring_returns(run, use_backend, monkeypatch):
    use_backend(BlockingKeyring())
    monkeypatch.setenv(keys.TIMEOUT_ENV, "0.3")
    code, out, err = run("keys", "status")
    assert code == 0
    assert out.splitlines()[2:] == [
        "enkrypt: no key (keyring did not answer)",
        "nimble: no key (keyring did not answer)",
    ]
    assert "did not answer within 0.3 s" in err


def test_profile_before_or_after_the_action(run, memory):
    assert run("--profile", "work", "keys", "set", "enkrypt", stdin=SECRET)[0] == 0
    assert run("keys", "set", "nimble", "--profile", "home", stdin=OTHER)[0] == 0
    assert memory.store == {("tasktop", "work:enkrypt"): SECRET, ("tasktop", "home:nimble"): OTHER}
    _, out, _ = run("keys", "status", "--profile", "work")
    assert out.splitlines()[0] == "profile: work" and "enkrypt: keyring (…cdef)" in out
    _, out, _ = run("--profile", "home", "keys", "delete", "nimble")
    assert "profile 'home'" in out and ("tasktop", "home:nimble") not in memory.store


def test_keys_without_an_action_prints_help(run):
    code, out, err = run("keys")
    assert code == 2 and "set" in err and "status" in err


def test_unknown_provider_is_a_usage_error(run, memory):
    with pytest.raises(SystemExit) as caught:
        run("keys", "set", "datasets", stdin=SECRET)
    assert caught.value.code == 2 and memory.store == {}


# --- hygiene --------------------------------------------------------------------------------------


def assert_clean(outputs):
    for text in outputs:
        data = text if isinstance(text, bytes) else text.encode()
        assert SECRET.encode() not in data and SECRET[:8].encode() not in data, text


def test_no_subcommand_output_carries_the_key_in_process(run, use_backend, monkeypatch):
    use_backend(MemoryKeyring())
    run("keys", "set", "enkrypt", stdin=SECRET)
    run("keys", "set", "enkrypt", stdin=SECRET)
    run("keys", "status")
    run("keys", "set", "enkrypt", stdin=f"{SECRET} {SECRET}")
    run("keys", "delete", "enkrypt")
    run("keys", "delete", "enkrypt")
    monkeypatch.setenv("TASKTOP_ENKRYPT_API_KEY", SECRET)
    run("keys", "status")
    run("keys", "set", "enkrypt", stdin=SECRET)
    use_backend(fail.Keyring())
    run("keys", "set", "enkrypt", stdin=SECRET)
    run("keys", "status")
    run("keys", "delete", "enkrypt")
    assert len(run.outputs) == 22 and any("…cdef" in text for text in run.outputs)
    assert_clean(run.outputs)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKTOP_", "PYTHON_KEYRING"))}
    env.update(extra)
    return env


def test_no_subcommand_output_carries_the_key_in_a_subprocess():
    """The real entry point (`python -m tui`), no keyring backend, key on stdin and in env."""
    outputs = []
    no_keyring = subprocess_env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    with_env = {**no_keyring, "TASKTOP_ENKRYPT_API_KEY": SECRET, "TASKTOP_NIMBLE_API_KEY": SECRET}
    for env in (no_keyring, with_env):
        for argv, stdin in ((["set", "enkrypt"], SECRET), (["status"], ""),
                            (["delete", "enkrypt"], ""), (["set", "nimble"], f"{SECRET}\nx")):
            proc = subprocess.run([sys.executable, "-m", "tui", "keys", *argv], cwd=ROOT, env=env,
                                  input=stdin.encode(), capture_output=True, timeout=60)
            outputs += [proc.stdout, proc.stderr]
            assert proc.returncode in (0, 2, 3), proc
    assert b"env (\xe2\x80\xa6cdef)" in b"".join(outputs)  # the status did show the env key, masked
    assert_clean(outputs)
