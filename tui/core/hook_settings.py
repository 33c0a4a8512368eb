"""`[[hooks]]` tables and `hooks_per_minute` from the config file, checked into `HookSpec`s.

    hooks_per_minute = 30
    [[hooks]]
    on = "failed"                      # "failed" | "terminal" | "any"
    tab = "redteam"                    # optional: datasets | redteam | nimble
    command = ["notify-send", "tasktop"]
    timeout = 10
    [[hooks]]
    webhook = "https://hooks.example.com/tasktop"

Every problem is one `ConfigError` line naming the entry (`[[hooks]] #2`) and never quoting a
value, since a webhook URL can itself be a secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from tui.base.loopback import is_loopback
from tui.base.statuses import FAILURES
from tui.core.config import ConfigError
from tui.providers.sources import TERMINAL_STATES

DEFAULT_HOOK_TIMEOUT = 10.0
MAX_HOOK_TIMEOUT = 300.0
DEFAULT_HOOKS_PER_MINUTE = 30
#: The built-in tabs, for messages; a tab package adds its own ids (checked against the registry
#: when the runner is built, tui.commands.app_cmd.hook_runner).
TAB_IDS = ("datasets", "redteam", "nimble")
TAB_ID = re.compile(r"[a-z][a-z0-9_-]*")
FAILED_STATES = FAILURES
ON_CHOICES = ("failed", "terminal", "any")
#: The top-level config settings this module reads.
HOOK_SETTINGS = ("hooks", "hooks_per_minute")
_FIELDS = ("on", "tab", "command", "webhook", "timeout")

On = Literal["failed", "terminal", "any"]


@dataclass(frozen=True, slots=True)
class HookSpec:
    """One configured hook: exactly one of `command` (an argv list) or `webhook` (a URL)."""

    number: int
    on: On = "failed"
    tab: str | None = None
    command: tuple[str, ...] | None = None
    webhook: str | None = None
    timeout: float = DEFAULT_HOOK_TIMEOUT

    def matches(self, tab: str, status: str) -> bool:
        """Whether a task on `tab` arriving in `status` fires this hook."""
        if self.tab is not None and self.tab != tab:
            return False
        word = (status or "").casefold()
        if self.on == "failed":
            return word in FAILED_STATES
        if self.on == "terminal":
            return word in TERMINAL_STATES
        return True

    def label(self) -> str:
        """'hook 1 (notify-send)' or 'hook 2 (webhook hooks.example.com)': names the hook
        without its arguments or the webhook's path and query, which may hold secrets."""
        if self.command:
            return f"hook {self.number} ({self.command[0]})"
        host = urlsplit(self.webhook or "").hostname or "?"
        return f"hook {self.number} (webhook {host})"


@dataclass(frozen=True, slots=True)
class HookSettings:
    hooks: tuple[HookSpec, ...] = ()
    per_minute: int = DEFAULT_HOOKS_PER_MINUTE


def parse_hooks(data: Mapping[str, Any], where: str) -> HookSettings:
    """The hooks of a config file's top-level table (`data` as read from TOML)."""
    per_minute = data.get("hooks_per_minute", DEFAULT_HOOKS_PER_MINUTE)
    if isinstance(per_minute, bool) or not isinstance(per_minute, int) or not 1 <= per_minute <= 10_000:
        raise ConfigError(f"{where}: `hooks_per_minute` must be a whole number from 1 to 10000")
    tables = data.get("hooks", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{where}: `hooks` must be [[hooks]] tables")
    hooks = tuple(_hook(table, number, where) for number, table in enumerate(tables, 1))
    return HookSettings(hooks, per_minute)


def _hook(table: Mapping[str, Any], number: int, where: str) -> HookSpec:
    entry = f"{where}: [[hooks]] #{number}"
    for name in table:
        if name not in _FIELDS:
            raise ConfigError(
                f"{entry}: unknown setting `{name}` (a hook has {', '.join(_FIELDS)})"
            )
    on = table.get("on", "failed")
    if on not in ON_CHOICES:
        raise ConfigError(f'{entry}: `on` must be "failed", "terminal" or "any"')
    tab = table.get("tab")
    if tab is not None and not (isinstance(tab, str) and TAB_ID.fullmatch(tab)):
        raise ConfigError(f"{entry}: `tab` must be a tab id such as {', '.join(TAB_IDS)}")
    timeout = table.get("timeout", DEFAULT_HOOK_TIMEOUT)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not 0 < timeout <= MAX_HOOK_TIMEOUT
    ):
        raise ConfigError(f"{entry}: `timeout` must be a number of seconds from 0 to 300")
    has_command, has_webhook = "command" in table, "webhook" in table
    if has_command == has_webhook:
        raise ConfigError(f"{entry}: give exactly one of `command` (an argv list) or `webhook`")
    if has_command:
        return HookSpec(number, on, tab, command=_command(table["command"], entry),
                        timeout=float(timeout))
    return HookSpec(number, on, tab, webhook=_webhook(table["webhook"], entry),
                    timeout=float(timeout))


def _command(value: Any, entry: str) -> tuple[str, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(arg, str) and "\x00" not in arg for arg in value)
        or not value[0].strip()
    ):
        raise ConfigError(
            f'{entry}: `command` must be a list of strings such as ["notify-send", "tasktop"] '
            "(it runs without a shell)"
        )
    return tuple(value)


def _webhook(value: Any, entry: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{entry}: `webhook` must be a URL string")
    url = value.strip()
    parts = urlsplit(url)
    try:
        parts.port
    except ValueError:
        raise ConfigError(f"{entry}: `webhook` has an invalid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{entry}: `webhook` must be an https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"{entry}: `webhook` must not carry credentials (user:pass@)")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"{entry}: `webhook` must use https:// (plain http only to a loopback address)"
        )
    return url
