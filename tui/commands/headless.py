"""Run one piece of work on a tab's source without a screen, as the app would run it.

The CLI commands (`list`, `show`, and whatever else prints tasks headless) hand `on_source` a
coroutine function; it loads the config, finds the tab's key, builds the same `Runtime` the app
runs against, and gives the work that Runtime's source for the tab, so clients, enrichment and
paging are the app's own. Every failure becomes one line on stderr, "tasktop: <kind>: <message>",
and the exit code of its error class (2 usage/config, 3 auth, 4 rate limited, 5 not found,
1 other). httpx and the clients are imported only when the work runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tui.commands.task_output import harmless

if TYPE_CHECKING:
    from tui.core.keys import KeyInfo
    from tui.process.runtime import Runtime
    from tui.providers.sources import TaskSource

EXIT_USAGE = 2
#: What `on_source` runs: given the tab's source, the result (an int result is an exit code).
Work = Callable[["TaskSource"], Awaitable[Any]]


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """--config, --profile and --log, also accepted after the subcommand; SUPPRESS keeps the
    top-level value when absent."""
    parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file")
    parser.add_argument("--profile", metavar="P", default=argparse.SUPPRESS, help="config profile")
    parser.add_argument("--log", metavar="FILE", dest="log_file", default=argparse.SUPPRESS,
                        help="append a debug log to FILE (never keys)")


def on_source(
    args: argparse.Namespace, tab_id: str, work: Work,
    *, secrets: list[str] | None = None,
) -> Any:
    """`await work(source)` on a fresh Runtime's source for `tab_id`; an int is an exit code.

    `args` carries the common options: config, profile, timeout, command (for the log).
    `secrets`, if given, receives the key in use (from the env or the keyring), for what must
    never carry it (hooks).
    """
    from tui.core.config import ConfigError, load_config

    try:
        config = load_config(getattr(args, "config", None), getattr(args, "profile", None))
    except ConfigError as err:
        return fail(err.kind, str(err), err.exit_code)

    import asyncio

    from tui.commands.app_cmd import provider_urls
    from tui.core.keys import KeyInfo, resolve_key
    from tui.process.logsetup import get_logger, log_error, logging_enabled
    from tui.process.runtime import Runtime
    from tui.providers.base import AuthError, ProviderError
    from tui.tabs.registry import providers, spec

    provider = spec(tab_id).provider.name
    key = resolve_key(provider, config.profile)  # a KeyInfo: its repr never shows the value
    if secrets is not None and key.value:
        secrets.append(key.value)
    timeout = config.timeout if getattr(args, "timeout", None) is None else args.timeout
    keys = {p: key if p == provider else KeyInfo(p, "none") for p in providers()}
    runtime = Runtime(config.enkrypt_url, config.nimble_url, keys, config.refresh,
                      config.profile, timeout=timeout, config_path=config.path,
                      urls=provider_urls())
    if logging_enabled():
        url = runtime.url(provider)
        get_logger().debug("%s %s: profile %s, %s, %s", getattr(args, "command", None), tab_id,
                           config.profile, url, key.masked())
    try:
        return asyncio.run(_run(runtime, tab_id, provider, work))
    except ProviderError as err:
        log_error(err, what=f"{getattr(args, 'command', None)} {tab_id}")
        message = err.message
        if isinstance(err, AuthError) and not key.present:
            message += f" ({key.problem})" if key.problem else (
                f" (set {_env_var(provider)} or run `tasktop keys set {provider}`)"
            )
        return fail(err.kind, message, err.exit_code, key)


async def _run(runtime: Runtime, tab_id: str, provider: str, work: Work) -> Any:
    from tui.providers.base import AuthError

    try:
        source = runtime.source(tab_id)
        if source is None:  # the words the client says when asked to send without a key
            raise AuthError(f"no API key configured for {provider}")
        return await work(source)
    finally:
        await runtime.aclose()


def _env_var(provider: str) -> str:
    from tui.core.keys import ENV_VARS

    return ENV_VARS[provider]


def fail(kind: str, message: str, code: int, key: KeyInfo | None = None) -> int:
    """Print "tasktop: <kind>: <message>" as one harmless line on stderr; return `code`."""
    if key is not None and key.value:
        message = message.replace(key.value, "***")
    print(f"tasktop: {kind}: {harmless(' '.join(message.split()))}", file=sys.stderr)
    return code


def out(text: str) -> None:
    """Write `text` to stdout as whole lines."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
