"""tui.core.hook_settings: `[[hooks]]` in the config file, each bad entry one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config import ConfigError, load_config
from tui.core.hook_settings import HookSpec


def config_with(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env={})


def test_hooks_are_read_with_their_defaults(tmp_path):
    config = config_with(tmp_path, """
hooks_per_minute = 5
[[hooks]]
command = ["notify-send", "tasktop"]
[[hooks]]
on = "terminal"
tab = "nimble"
webhook = "https://hooks.example.com/T0/B0/secretpath"
timeout = 2.5
""")
    first, second = config.hooks.hooks
    assert config.hooks.per_minute == 5
    assert first == HookSpec(1, "failed", None, command=("notify-send", "tasktop"), timeout=10.0)
    assert second.on == "terminal" and second.tab == "nimble" and second.timeout == 2.5
    assert second.label() == "hook 2 (webhook hooks.example.com)"  # never the secret path
    assert "hooks" not in config.extra and "hooks_per_minute" not in config.extra


def test_no_hooks_by_default(tmp_path):
    config = config_with(tmp_path, "refresh = 2\n")
    assert config.hooks.hooks == () and config.hooks.per_minute == 30


@pytest.mark.parametrize(
    ("on", "tab", "status", "fires"),
    [
        ("failed", None, "Failed", True),
        ("failed", None, "error", True),
        ("failed", None, "Finished", False),
        ("terminal", None, "success", True),
        ("terminal", None, "Running", False),
        ("any", None, "Running", True),
        ("any", "nimble", "Running", False),
        ("failed", "redteam", "FAILED", True),
    ],
)
def test_a_hook_matches_its_tab_and_states(on, tab, status, fires):
    assert HookSpec(1, on, tab, command=("x",)).matches("redteam", status) is fires


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('on = "failed"', "give exactly one of `command` (an argv list) or `webhook`"),
        ('command = ["a"]\nwebhook = "https://x.test"', "give exactly one of"),
        ('command = "notify-send tasktop"', "`command` must be a list of strings"),
        ("command = []", "`command` must be a list of strings"),
        ('command = ["a"]\non = "sometimes"', '`on` must be "failed", "terminal" or "any"'),
        ('command = ["a"]\ntab = "Every thing"', "`tab` must be a tab id such as datasets, redteam"),
        ('command = ["a"]\ntimeout = 0', "`timeout` must be a number of seconds from 0 to 300"),
        ('command = ["a"]\ntimeout = true', "`timeout` must be a number of seconds"),
        ('command = ["a"]\napi_key = "k-123456"', "unknown setting `api_key`"),
        ('webhook = "http://hooks.example.com/x"', "must use https:// (plain http only to a loopback"),
        ('webhook = "ftp://hooks.example.com/x"', "must be an https:// URL with a host"),
        ('webhook = "https://u:p@hooks.example.com/x"', "must not carry credentials"),
        ('webhook = "https://hooks.example.com:99999/x"', "invalid port"),
    ],
)
def test_a_bad_hook_is_one_line_naming_the_entry(tmp_path, entry, message):
    text = f'[[hooks]]\ncommand = ["ok"]\n[[hooks]]\n{entry}\n'
    with pytest.raises(ConfigError) as caught:
        config_with(tmp_path, text)
    error = str(caught.value)
    assert "\n" not in error
    assert "[[hooks]] #2" in error and message in error, error
    assert "k-123456" not in error and "u:p" not in error  # values are never quoted


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.9.9", "[::1]", "localhost"])
def test_plain_http_webhooks_are_allowed_to_loopback_only(tmp_path, host):
    config = config_with(tmp_path, f'[[hooks]]\nwebhook = "http://{host}:8080/x"\n')
    assert config.hooks.hooks[0].webhook == f"http://{host}:8080/x"


@pytest.mark.parametrize("value", ["0", "-1", "1.5", '"30"', "true", "10001"])
def test_hooks_per_minute_must_be_a_sane_whole_number(tmp_path, value):
    with pytest.raises(ConfigError, match="`hooks_per_minute` must be a whole number"):
        config_with(tmp_path, f"hooks_per_minute = {value}\n")


def test_hooks_belong_at_the_top_level(tmp_path):
    with pytest.raises(ConfigError, match="belong at the top level"):
        config_with(tmp_path, '[profiles.p]\n[[profiles.p.hooks]]\ncommand = ["a"]\n')
    with pytest.raises(ConfigError, match="`hooks` must be"):
        config_with(tmp_path, 'hooks = "notify-send"\n')
