"""Settings from a TOML file with profiles, overridable from the environment. Never API keys.

Precedence (highest first): env TASKTOP_ENKRYPT_URL / TASKTOP_NIMBLE_URL > the chosen
`[profiles.NAME]` table > top-level keys > built-in defaults. The file is `--config PATH`, else
$TASKTOP_CONFIG, else platformdirs' user config dir + "tasktop/config.toml" (missing = defaults).

    refresh = 5.0
    enkrypt_url = "https://api.enkryptai.com"
    [profiles.staging]
    enkrypt_url = "https://staging.example.com"
    timeout = 20

Keys live in the keyring or env (tui.core.keys); a key-looking setting here is refused, so a config file
can be shared or committed without leaking anything. No Textual.

A `[keymap]` table rebinds keyboard keys by binding id (`refresh = "R"`, `tab.datasets = "d"`,
`next_page = ["n", "j"]`); this module checks its shape, the app checks the ids and clashes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

DEFAULT_ENKRYPT_URL = "https://api.enkryptai.com"
DEFAULT_NIMBLE_URL = "https://sdk.nimbleway.com"
DEFAULT_REFRESH = 5.0
DEFAULT_TIMEOUT = 10.0
DEFAULT_PROFILE = "default"

ENV_CONFIG = "TASKTOP_CONFIG"
ENV_PROFILE = "TASKTOP_PROFILE"
ENV_URLS = {"enkrypt_url": "TASKTOP_ENKRYPT_URL", "nimble_url": "TASKTOP_NIMBLE_URL"}

_URL_SETTINGS = ("enkrypt_url", "nimble_url")
_SECONDS_SETTINGS = ("refresh", "timeout")
_KEYLIKE = re.compile(
    r"(api[_-]?key|secret|token|passw(or)?d|bearer|credential|(^|[_-])keys?$)", re.IGNORECASE
)


class ConfigError(Exception):
    """The configuration cannot be used as written; the message says where and why (one line)."""

    kind = "config"
    exit_code = 2


@dataclass(frozen=True, slots=True)
class Config:
    """Resolved settings. `sources` says where each came from: default, file, profile or env."""

    profile: str = DEFAULT_PROFILE
    enkrypt_url: str = DEFAULT_ENKRYPT_URL
    nimble_url: str = DEFAULT_NIMBLE_URL
    refresh: float = DEFAULT_REFRESH
    timeout: float = DEFAULT_TIMEOUT
    #: The file that was read, or None when there was none.
    path: Path | None = None
    #: Profile names the file defines.
    profiles: tuple[str, ...] = ()
    #: The `[keymap]` table: binding id → comma-separated keys (checked against the bindings by
    #: the app, which knows them).
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: The `[[hooks]]` tables and `hooks_per_minute` (a tui.core.hook_settings.HookSettings).
    hooks: Any = field(default_factory=lambda: _no_hooks())
    #: Settings this version does not know, kept for newer features (merged with the same precedence).
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _no_hooks() -> Any:
    from tui.core.hook_settings import (
        HookSettings,  # imports this module: not at the top
    )

    return HookSettings()


def list_profiles(config: Config) -> list[str]:
    """Profiles a switcher can offer: "default" (the top-level settings) first, then the file's
    [profiles.NAME] tables in name order; the active one is always included."""
    names = [DEFAULT_PROFILE, *sorted(config.profiles), config.profile]
    return list(dict.fromkeys(names))


def default_config_path() -> Path:
    import platformdirs  # ~15 ms; only when no explicit path is given

    return platformdirs.user_config_path("tasktop") / "config.toml"


def load_config(
    path: Path | str | None = None,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Read, merge and validate the settings; raise ConfigError with a one-line reason."""
    env = os.environ if env is None else env
    explicit = path if path not in (None, "") else env.get(ENV_CONFIG) or None
    if explicit is not None:
        file = Path(explicit).expanduser()
        if not file.is_file():
            raise ConfigError(f"config file not found: {file}")
    else:
        file = default_config_path()
    data = _read(file) if file.is_file() else {}
    read_path = file if file.is_file() else None
    where = str(file)

    _refuse_keys(data, where)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(v, dict) for v in profiles.values()):
        raise ConfigError(f"{where}: `profiles` must hold tables like [profiles.NAME]")
    chosen_in_file = data.get("profile")
    if chosen_in_file is not None and not isinstance(chosen_in_file, str):
        raise ConfigError(f"{where}: `profile` must be a string")
    name = profile or env.get(ENV_PROFILE) or chosen_in_file or DEFAULT_PROFILE
    if name not in profiles and name != DEFAULT_PROFILE:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"unknown profile {name!r} (profiles in {where}: {known})")

    values: dict[str, Any] = {
        "enkrypt_url": DEFAULT_ENKRYPT_URL,
        "nimble_url": DEFAULT_NIMBLE_URL,
        "refresh": DEFAULT_REFRESH,
        "timeout": DEFAULT_TIMEOUT,
    }
    sources = dict.fromkeys(values, "default")
    keymap = _keymap(data.get("keymap", {}), where)
    if any("keymap" in table for table in profiles.values()):
        raise ConfigError(f"{where}: `keymap` belongs at the top level, not in a profile")
    from tui.core.hook_settings import HOOK_SETTINGS, parse_hooks

    if any(name in table for table in profiles.values() for name in HOOK_SETTINGS):
        raise ConfigError(
            f"{where}: `hooks` and `hooks_per_minute` belong at the top level, not in a profile"
        )
    hooks = parse_hooks(data, where)
    top = {
        k: v
        for k, v in data.items()
        if k not in ("profiles", "profile", "keymap", *HOOK_SETTINGS)
    }
    layers = [("file", top, where), ("profile", profiles.get(name, {}), f"{where} [profiles.{name}]")]
    for source, table, label in layers:
        for key, value in table.items():
            values[key] = _check(key, value, label)
            sources[key] = source
    for key, var in ENV_URLS.items():
        if env.get(var):
            values[key] = _check(key, env[var], f"env {var}")
            sources[key] = "env"

    known = ("enkrypt_url", "nimble_url", "refresh", "timeout")
    extra = {k: v for k, v in values.items() if k not in known}
    return Config(
        profile=name,
        enkrypt_url=values["enkrypt_url"],
        nimble_url=values["nimble_url"],
        refresh=float(values["refresh"]),
        timeout=float(values["timeout"]),
        path=read_path,
        profiles=tuple(sorted(profiles)),
        keymap=MappingProxyType(keymap),
        hooks=hooks,
        extra=MappingProxyType(extra),
        sources=MappingProxyType(sources),
    )


def _read(file: Path) -> dict[str, Any]:
    import tomllib  # only when there is a file: most start-ups have none

    try:
        with file.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config {file}: {exc.strerror or exc}") from None


def _refuse_keys(table: Mapping[str, Any], where: str, prefix: str = "") -> None:
    """Refuse any key-looking setting anywhere in the file, without ever echoing its value."""
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if _KEYLIKE.search(key):
            raise ConfigError(
                f"{where}: `{dotted}` looks like an API key; keys belong in the OS keyring or the "
                "env vars TASKTOP_ENKRYPT_API_KEY / TASKTOP_NIMBLE_API_KEY, never in the config "
                "file (remove it)"
            )
        if isinstance(value, dict):
            _refuse_keys(value, where, f"{dotted}.")


def _keymap(table: Any, where: str, prefix: str = "") -> dict[str, str]:
    """`[keymap]` as binding id → "key1,key2". Dotted ids may be written unquoted in TOML
    (`tab.datasets = "d"` is a nested table to it): they are joined back with dots."""
    if not isinstance(table, dict):
        raise ConfigError(
            f'{where}: `keymap` must be a table: [keymap], then lines like refresh = "R"'
        )
    out: dict[str, str] = {}
    for name, value in table.items():
        if isinstance(value, dict):
            out.update(_keymap(value, where, f"{prefix}{name}."))
            continue
        keys = [value] if isinstance(value, str) else value
        tokens = (
            [t.strip() for key in keys for t in key.split(",")]
            if isinstance(keys, list) and all(isinstance(k, str) for k in keys)
            else []
        )
        if not tokens or any(not t or any(c.isspace() for c in t) for t in tokens):
            raise ConfigError(
                f'{where}: [keymap] `{prefix}{name}` must be a key such as "r" or "ctrl+r", or a '
                "list of keys"
            )
        out[f"{prefix}{name}"] = ",".join(tokens)
    return out


def _check(key: str, value: Any, where: str) -> Any:
    """Validate one known setting (unknown ones pass through to `extra` as they are)."""
    if key in _URL_SETTINGS:
        return _check_url(key, value, where)
    if key in _SECONDS_SETTINGS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ConfigError(f"{where}: `{key}` must be a number of seconds > 0")
        if value > 86400:
            raise ConfigError(f"{where}: `{key}` must be at most 86400 seconds")
        return float(value)
    return value


def _check_url(key: str, value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: `{key}` must be a URL string")
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: `{key}` must be an http(s) URL with a host, e.g. https://host")
    try:
        parts.port
    except ValueError:
        raise ConfigError(f"{where}: `{key}` has an invalid port") from None
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"{where}: `{key}` must not carry credentials (user:pass@)")
    if parts.query or parts.fragment:
        raise ConfigError(f"{where}: `{key}` must not have a query or fragment")
    return url.rstrip("/")
