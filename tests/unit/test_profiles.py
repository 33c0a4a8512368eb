"""Profiles: each has its own base URLs and its own keyring entries; --profile picks one.

The end-to-end tests run two simulators that accept different keys and serve different tasks,
so a request that used the wrong URL or the wrong key would fail (401) or show the wrong rows.
"""

from __future__ import annotations

import json

import pytest
from support.keyring_service import MemoryKeyring, use_backend  # noqa: F401

from tui.commands.main import main
from tui.core.config import (
    DEFAULT_ENKRYPT_URL,
    ConfigError,
    list_profiles,
    load_config,
)
from tui.core.keys import SERVICE, keyring_username
from tui.sim.server import start_simulator

CONFIG = """
enkrypt_url = "https://enkrypt.default.example"
nimble_url = "https://nimble.default.example"
refresh = 7

[profiles.staging]
enkrypt_url = "https://enkrypt.staging.example"
nimble_url = "https://nimble.staging.example"
timeout = 30

[profiles.eu]
enkrypt_url = "https://enkrypt.eu.example"
"""


@pytest.fixture
def config_file(tmp_path, clean_env):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


# -------------------------------------------------------------------------- config layer


def test_default_profile_uses_the_top_level_urls(config_file):
    config = load_config(config_file, env={})
    assert (config.profile, config.enkrypt_url, config.nimble_url) == (
        "default", "https://enkrypt.default.example", "https://nimble.default.example")


def test_profile_selects_its_own_urls(config_file):
    staging = load_config(config_file, "staging", env={})
    assert (staging.enkrypt_url, staging.nimble_url, staging.timeout) == (
        "https://enkrypt.staging.example", "https://nimble.staging.example", 30.0)
    assert staging.refresh == 7.0  # inherited from the top level
    eu = load_config(config_file, "eu", env={})
    assert eu.enkrypt_url == "https://enkrypt.eu.example"
    assert eu.nimble_url == "https://nimble.default.example"  # not set in [profiles.eu]
    assert eu.sources["enkrypt_url"] == "profile" and eu.sources["nimble_url"] == "file"


def test_profile_from_env_and_from_the_file(config_file, tmp_path):
    assert load_config(config_file, env={"TASKTOP_PROFILE": "eu"}).profile == "eu"
    # the command-line choice beats the env var
    assert load_config(config_file, "staging", env={"TASKTOP_PROFILE": "eu"}).profile == "staging"
    chosen = tmp_path / "chosen.toml"
    chosen.write_text('profile = "staging"\n' + CONFIG)
    assert load_config(chosen, env={}).enkrypt_url == "https://enkrypt.staging.example"


def test_env_urls_override_the_profile(config_file):
    env = {"TASKTOP_ENKRYPT_URL": "http://127.0.0.1:9999"}
    config = load_config(config_file, "staging", env=env)
    assert config.enkrypt_url == "http://127.0.0.1:9999"
    assert config.nimble_url == "https://nimble.staging.example"
    assert config.sources["enkrypt_url"] == "env"


def test_unknown_profile_names_the_known_ones(config_file):
    with pytest.raises(ConfigError, match=r"unknown profile 'prod' .*eu, staging"):
        load_config(config_file, "prod", env={})


def test_list_profiles(config_file, tmp_path):
    assert list_profiles(load_config(config_file, env={})) == ["default", "eu", "staging"]
    assert list_profiles(load_config(config_file, "staging", env={})) == [
        "default", "eu", "staging"]
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert list_profiles(load_config(empty, env={})) == ["default"]
    with_default = tmp_path / "d.toml"
    with_default.write_text('[profiles.default]\nrefresh = 2\n[profiles.b]\n')
    assert list_profiles(load_config(with_default, env={})) == ["default", "b"]
    assert load_config(with_default, env={}).refresh == 2.0
    assert load_config(empty, env={}).enkrypt_url == DEFAULT_ENKRYPT_URL


def test_keyring_entries_are_per_profile():
    assert keyring_username("enkrypt") == "default:enkrypt"
    assert keyring_username("enkrypt", "staging") == "staging:enkrypt"
    assert keyring_username("nimble", "eu") == "eu:nimble"


# ----------------------------------------------------------- two simulators, end to end


@pytest.fixture
def two_sims():
    one = start_simulator(seed=11, manual_clock=True, enkrypt_key="ek-profile-one-1111aaaa",
                          nimble_key="nk-profile-one-1111bbbb")
    two = start_simulator(seed=22, manual_clock=True, enkrypt_key="ek-profile-two-2222aaaa",
                          nimble_key="nk-profile-two-2222bbbb")
    try:
        yield one, two
    finally:
        one.stop()
        two.stop()


@pytest.fixture
def two_profiles(two_sims, tmp_path, clean_env, use_backend):  # noqa: F811
    one, two = two_sims
    path = tmp_path / "config.toml"
    path.write_text(
        f'enkrypt_url = "{one.url}"\nnimble_url = "{one.url}"\n\n'
        f'[profiles.p2]\nenkrypt_url = "{two.url}"\nnimble_url = "{two.url}"\n'
    )
    backend = use_backend(MemoryKeyring())
    for profile, sim in (("default", one), ("p2", two)):
        backend.store[(SERVICE, keyring_username("enkrypt", profile))] = sim.enkrypt_key
        backend.store[(SERVICE, keyring_username("nimble", profile))] = sim.nimble_key
    clean_env.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return path, one, two


def run_json(capsys, *argv: str) -> dict:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return json.loads(out)


def test_profile_p2_hits_the_second_simulator_with_its_own_key(two_profiles, capsys):
    path, one, two = two_profiles
    doc = run_json(capsys, "--config", str(path), "list", "redteam", "--profile", "p2", "--json")
    assert two.counts() == {"/redteam/list-tasks": 1}
    assert one.counts() == {}
    expected = run_json(capsys, "--config", str(path), "list", "redteam", "--json")
    assert one.counts() == {"/redteam/list-tasks": 1}  # default profile: the first simulator
    assert [r["task_id"] for r in doc["rows"]] != [r["task_id"] for r in expected["rows"]]


def test_profile_before_the_subcommand_and_for_nimble(two_profiles, capsys):
    path, one, two = two_profiles
    task_id = _first_redteam_id(two)
    two.reset_counts()
    run_json(capsys, "--config", str(path), "--profile", "p2", "list", "nimble", "--json")
    shown = run_json(capsys, "--config", str(path), "--profile", "p2", "show", "redteam",
                     task_id, "--json")
    assert shown["task_id"] == task_id
    assert two.counts() == {"/v1/tasks": 1, "/redteam/get-task": 1}
    assert one.counts() == {}


def test_a_profile_without_its_key_is_an_auth_error(two_profiles, capsys, tmp_path):
    path, one, two = two_profiles
    path.write_text(path.read_text() + f'\n[profiles.p3]\nenkrypt_url = "{two.url}"\n')
    assert main(["--config", str(path), "--profile", "p3", "list", "redteam"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("tasktop: auth: ") and "tasktop keys set enkrypt" in err
    assert two.counts() == {}  # no key: nothing was sent


def test_env_key_overrides_every_profile(two_profiles, capsys, clean_env):
    path, one, two = two_profiles
    clean_env.setenv("TASKTOP_ENKRYPT_API_KEY", one.enkrypt_key)
    # p2's URL with the first simulator's key: the second simulator refuses it
    assert main(["--config", str(path), "--profile", "p2", "list", "redteam"]) == 3
    assert capsys.readouterr().err.startswith("tasktop: auth: ")
    assert two.counts() == {"/redteam/list-tasks": 1}


def _first_redteam_id(sim) -> str:
    import httpx

    body = httpx.get(f"{sim.url}/redteam/list-tasks",
                     headers={"apikey": sim.enkrypt_key}).json()
    return body["tasks"][0]["task_id"]
