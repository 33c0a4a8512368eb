"""tui.core.config: file discovery, profiles, precedence, validation, and refusal of keys in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config import (
    DEFAULT_ENKRYPT_URL,
    DEFAULT_NIMBLE_URL,
    Config,
    ConfigError,
    default_config_path,
    load_config,
)

FILE = """
refresh = 3
enkrypt_url = "https://top.enkrypt.test/"
theme = "dark"

[profiles.staging]
enkrypt_url = "https://staging.enkrypt.test"
nimble_url = "http://127.0.0.1:8123"
refresh = 1.5

[profiles.slow]
timeout = 30
"""


@pytest.fixture
def cfg_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(FILE, encoding="utf-8")
    return path


@pytest.fixture
def no_user_config(tmp_path, monkeypatch) -> Path:
    """Point platformdirs at an empty directory so the user's real config is never read."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg"


def test_defaults_when_no_file(no_user_config):
    cfg = load_config(env={})
    assert cfg == Config(sources=cfg.sources)
    assert (cfg.enkrypt_url, cfg.nimble_url, cfg.refresh, cfg.timeout, cfg.profile) == (
        DEFAULT_ENKRYPT_URL, DEFAULT_NIMBLE_URL, 5.0, 10.0, "default",
    )
    assert cfg.path is None and set(cfg.sources.values()) == {"default"}


def test_default_path_is_in_user_config_dir(no_user_config):
    assert default_config_path() == no_user_config / "tasktop" / "config.toml"


def test_default_path_file_is_read(no_user_config):
    path = no_user_config / "tasktop" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("refresh = 2\n", encoding="utf-8")
    cfg = load_config(env={})
    assert cfg.refresh == 2.0 and cfg.path == path


def test_top_level_over_defaults(cfg_file):
    cfg = load_config(cfg_file, env={})
    assert cfg.enkrypt_url == "https://top.enkrypt.test"  # trailing slash dropped
    assert cfg.nimble_url == DEFAULT_NIMBLE_URL and cfg.refresh == 3.0
    assert cfg.extra == {"theme": "dark"}
    assert cfg.profiles == ("slow", "staging") and cfg.path == cfg_file
    assert cfg.sources["enkrypt_url"] == "file" and cfg.sources["nimble_url"] == "default"


def test_profile_over_top_level(cfg_file):
    cfg = load_config(cfg_file, profile="staging", env={})
    assert cfg.profile == "staging"
    assert cfg.enkrypt_url == "https://staging.enkrypt.test"
    assert cfg.nimble_url == "http://127.0.0.1:8123" and cfg.refresh == 1.5
    assert cfg.sources["refresh"] == "profile"
    slow = load_config(cfg_file, profile="slow", env={})
    assert slow.timeout == 30.0 and slow.refresh == 3.0  # top-level still applies


def test_env_urls_over_profile(cfg_file):
    env = {"TASKTOP_ENKRYPT_URL": "http://localhost:9000", "TASKTOP_NIMBLE_URL": "https://n.test/"}
    cfg = load_config(cfg_file, profile="staging", env=env)
    assert cfg.enkrypt_url == "http://localhost:9000" and cfg.nimble_url == "https://n.test"
    assert cfg.sources["enkrypt_url"] == "env" and cfg.refresh == 1.5


def test_env_config_path_and_profile(cfg_file):
    cfg = load_config(env={"TASKTOP_CONFIG": str(cfg_file), "TASKTOP_PROFILE": "staging"})
    assert cfg.path == cfg_file and cfg.profile == "staging"
    # an explicit argument beats the env var
    assert load_config(cfg_file, profile="slow", env={"TASKTOP_PROFILE": "staging"}).profile == "slow"


def test_profile_chosen_in_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('profile = "p"\n[profiles.p]\nrefresh = 9\n', encoding="utf-8")
    assert load_config(path, env={}).refresh == 9.0


def test_unknown_profile(cfg_file, no_user_config):
    with pytest.raises(ConfigError, match=r"unknown profile 'prod' \(profiles in .*: slow, staging\)"):
        load_config(cfg_file, profile="prod", env={})
    with pytest.raises(ConfigError, match="unknown profile 'prod'.*none"):
        load_config(profile="prod", env={})
    assert load_config(cfg_file, profile="default", env={}).profile == "default"


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml", env={})
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(env={"TASKTOP_CONFIG": str(tmp_path / "nope.toml")})


@pytest.mark.parametrize(
    "text",
    [
        'api_key = "sk-FILEKEY-123456"',
        'enkrypt_api_key = "sk-FILEKEY-123456"',
        '[profiles.p]\nnimble_key = "sk-FILEKEY-123456"',
        '[profiles.p]\napikey = "sk-FILEKEY-123456"',
        'token = "sk-FILEKEY-123456"',
        '[enkrypt]\nsecret = "sk-FILEKEY-123456"',
    ],
)
def test_key_in_file_refused_without_echo(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, profile="p" if "profiles.p" in text else None, env={})
    message = str(info.value)
    assert "keyring" in message and "env" in message
    assert "sk-FILEKEY" not in message and "\n" not in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("refresh = 0", "`refresh` must be a number of seconds > 0"),
        ('refresh = "fast"', "`refresh` must be a number of seconds > 0"),
        ("timeout = true", "`timeout` must be a number of seconds > 0"),
        ('enkrypt_url = "ftp://x"', "`enkrypt_url` must be an http(s) URL"),
        ('nimble_url = "https://user:pw@host"', "must not carry credentials"),
        ('nimble_url = "https://host:port"', "invalid port"),
        ("nimble_url = 5", "`nimble_url` must be a URL string"),
        ("profiles = 3", "`profiles` must hold tables"),
        ("refresh = ", "not valid TOML"),
    ],
)
def test_invalid_values(tmp_path, text, fragment):
    path = tmp_path / "c.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert fragment in str(info.value) and str(path) in str(info.value)
    assert "pw" not in str(info.value)


def test_invalid_env_url(cfg_file):
    with pytest.raises(ConfigError, match="env TASKTOP_NIMBLE_URL: `nimble_url` must be"):
        load_config(cfg_file, env={"TASKTOP_NIMBLE_URL": "sdk.nimbleway.com"})


def test_config_module_imports_no_textual_or_httpx():
    import subprocess
    import sys

    code = (
        "import sys, tui.core.config; "
        "bad = [m for m in ('textual', 'httpx', 'keyring') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_provider_defaults_match_config_defaults():
    from tui.providers.enkrypt import DEFAULT_ENKRYPT_URL as E
    from tui.providers.nimble import DEFAULT_NIMBLE_URL as N

    assert (E, N) == (DEFAULT_ENKRYPT_URL, DEFAULT_NIMBLE_URL)
