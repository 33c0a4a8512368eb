"""`tasktop` with no subcommand: open the monitor (`--demo`: against the embedded simulator)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands.sim_cmd import duration_arg


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the embedded simulator on a free loopback port and monitor it (no keys needed)",
    )
    parser.add_argument(
        "--sim-latency", type=duration_arg, default=0.0, metavar="D",
        help="with --demo: the simulator answers D late (150ms), to feel a far-away API",
    )
    parser.add_argument("--refresh", type=float, metavar="S", help="refresh interval in seconds")
    parser.add_argument(
        "--per-page",
        type=_per_page,
        metavar="N",
        help="rows per page at start, 1-100 (default: as many as the terminal shows)",
    )
    parser.add_argument(
        "--no-history", dest="history", action="store_false", default=None,
        help="do not record transitions in the local history file (see `tasktop history`)",
    )
    alerts = parser.add_argument_group("alerts")
    alerts.add_argument(
        "--watch-all",
        action="store_true",
        default=None,
        help="keep hidden tabs polling (every 30 s) so alerts arrive for them too",
    )
    alerts.add_argument(
        "--alert-on",
        choices=("failed", "terminal"),
        help="alert when a task moves to Failed/error (default) or to any terminal state",
    )
    alerts.add_argument(
        "--no-bell", dest="bell", action="store_false", default=None, help="no terminal bell"
    )
    alerts.add_argument(
        "--notify",
        action="store_true",
        default=None,
        help="also send desktop notifications (OSC 9 / OSC 777 escape sequences)",
    )


def _per_page(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError("must be between 1 and 100")
    return value


def build_runtime(args: argparse.Namespace, *, fetch_only: bool = False):  # -> Runtime
    """Config + keys (+ simulator for --demo) → the Runtime the app runs against. `fetch_only`:
    without hooks and history (the first-page helper, whose request waits for this)."""
    from tui.core.config import ConfigError, load_config
    from tui.core.keys import KeyInfo, env_key
    from tui.process.runtime import Runtime
    from tui.tabs.registry import providers

    try:
        config = load_config(getattr(args, "config", None), getattr(args, "profile", None))
    except ConfigError as error:
        raise SystemExit(f"tasktop: config: {error}") from None
    refresh = args.refresh if args.refresh is not None else config.refresh
    if refresh <= 0:
        raise SystemExit("tasktop: --refresh must be a positive number of seconds")
    per_page = getattr(args, "per_page", None)
    options = alert_options(args, config.extra)
    try:
        if not fetch_only:
            options["hooks"] = hook_runner(config)
            options["history_path"] = history_path(args, config.extra)
    except ConfigError as error:
        raise SystemExit(f"tasktop: config: {error}") from None
    sim_latency = getattr(args, "sim_latency", 0.0)
    if sim_latency and not args.demo:
        raise SystemExit("tasktop: --sim-latency needs --demo")
    if args.demo:
        from tui.sim.server import start_simulator

        sim = start_simulator(rate=5.0, latency=sim_latency)
        keys = {p: env_key(p) or KeyInfo(p, "none") for p in providers()}  # a tab package's
        keys["enkrypt"] = KeyInfo("enkrypt", "demo", sim.enkrypt_key)
        keys["nimble"] = KeyInfo("nimble", "demo", sim.nimble_key)
        return Runtime(
            sim.url, sim.url, keys, refresh, "demo", per_page=per_page, now=sim.now,
            simulator=sim, config_path=config.path, keymap=dict(config.keymap),
            urls=provider_urls(), **options,
        )
    # Env keys are read here (cheap); keyring lookups happen inside the app, off the UI thread.
    keys = {p: env_key(p) or KeyInfo(p, "none") for p in providers()}
    from tui.core.config import list_profiles

    return Runtime(
        config.enkrypt_url,
        config.nimble_url,
        keys,
        refresh,
        config.profile,
        per_page=per_page,
        timeout=config.timeout,
        config_path=config.path,
        profiles=list_profiles(config),
        keymap=dict(config.keymap),
        urls=provider_urls(),
        **options,
    )


def fork_first_page(args: argparse.Namespace, terminal_size: tuple[int, int]):
    """A helper process, forked before anything else is imported, that builds its own runtime
    from the same arguments and fetches the start tab's first page (an EarlyPage; None where
    the CLI may not fork, and with --demo, whose simulator runs in this process)."""
    from tui.process import fork

    if args.demo or not fork.can_fork():
        return None

    async def job(send) -> None:
        runtime = build_runtime(args, fetch_only=True)
        runtime.terminal_size = terminal_size
        request = runtime.first_request(START_TAB)
        if request is None:
            send("failed", "no key in the environment, or no page size")
            return
        await runtime.fetch_first_page(START_TAB, request, send)

    def helper(write_end: int) -> None:
        from tui.process.prefetch import run_helper

        run_helper(write_end, job)

    pid, read_end = fork.fork(helper)
    from tui.process import prefetch

    return prefetch.in_process(START_TAB, pid, read_end)


def provider_urls() -> dict[str, str]:
    """The URLs a tab package's providers are told through their env var (`Provider.url_env`);
    the built-ins' come from the config."""
    import os

    from tui.tabs.registry import providers

    return {
        name: os.environ[p.url_env].strip().rstrip("/")
        for name, p in providers().items()
        if p.url_env and os.environ.get(p.url_env, "").strip()
    }


def alert_options(args: argparse.Namespace, extra: dict) -> dict:
    """Alert settings: command-line flags, else the config file (`alert_on`, `bell`, `notify`,
    `watch_all`), else the defaults."""

    def pick(flag: object, key: str, default: object) -> object:
        return flag if flag is not None else extra.get(key, default)

    alert_on = pick(getattr(args, "alert_on", None), "alert_on", "failed")
    if alert_on not in ("failed", "terminal"):
        raise SystemExit("tasktop: config: alert_on must be 'failed' or 'terminal'")
    return {
        "alert_on": alert_on,
        "bell": bool(pick(getattr(args, "bell", None), "bell", True)),
        "desktop_notify": bool(pick(getattr(args, "notify", None), "notify", False)),
        "watch_all": bool(pick(getattr(args, "watch_all", None), "watch_all", False)),
    }


def hook_runner(config):  # -> tui.hooks.runner.HookRunner | None
    """The config's `[[hooks]]`, ready to run (None when there are none); ConfigError when one
    names no installed tab."""
    if not config.hooks.hooks:
        return None
    from tui.hooks.runner import HookRunner

    problem = unknown_hook_tab(config.hooks.hooks)
    if problem:
        from tui.core.config import ConfigError

        raise ConfigError(problem)

    return HookRunner(config.hooks.hooks, per_minute=config.hooks.per_minute)


def unknown_hook_tab(hooks) -> str | None:
    """A hook whose `tab` names no tab of this install, as a config message (None: all fine);
    the config parser cannot know a tab package's ids, the registry can."""
    from tui.tabs.registry import names

    for number, hook in enumerate(hooks, 1):
        if hook.tab is not None and hook.tab not in names():
            return f"[[hooks]] #{number}: no tab {hook.tab!r} (tabs: {', '.join(names())})"
    return None


def history_path(args: argparse.Namespace, extra: dict) -> Path | None:
    """The history file: config `history_path`, else the user state dir; None when `--no-history`
    or `history = false` turns it off. ConfigError for a value of the wrong kind."""
    enabled = getattr(args, "history", None)
    if enabled is None:
        enabled = extra.get("history", True)
    from tui.core.config import ConfigError

    if not isinstance(enabled, bool):
        raise ConfigError("history must be true or false")
    if not enabled:
        return None
    path = extra.get("history_path")
    if path is None:
        from tui.history.connect import default_path

        return default_path()
    if not isinstance(path, str) or not path.strip():
        raise ConfigError("history_path must be a file path")
    return Path(path).expanduser()


#: The tab the monitor opens on.
START_TAB = "datasets"


def run(args: argparse.Namespace) -> int:
    import shutil

    from tui.process import start_gc

    start_gc.pause()  # until the first rows are up (the app resumes it)
    terminal_size = tuple(shutil.get_terminal_size())  # as Textual's driver reads it
    forked = fork_first_page(args, terminal_size)
    runtime = build_runtime(args)
    runtime.terminal_size = terminal_size
    runtime.prefetch(START_TAB, forked)  # its round trips overlap Textual's import and first mount
    from tui.core.config import ConfigError
    from tui.process.hangup import HANGUP_EXIT, watch_terminal
    from tui.ui.app import TasktopApp

    try:
        app = TasktopApp(runtime)  # checks the config's [keymap] against the bindings
    except ConfigError as error:
        if runtime.simulator is not None:
            runtime.simulator.stop()
        raise SystemExit(f"tasktop: config: {error}") from None
    # Exit when the terminal goes away: SIGHUP, the pty or the serve pipes closed, parent gone.
    unwatch = watch_terminal(app)
    try:
        app.run()
    except OSError:  # e.g. BrokenPipeError: the way out still writes to the end that is gone
        if not unwatch():
            raise
    finally:
        start_gc.resume()
        hung_up = unwatch()
        if runtime.simulator is not None:
            runtime.simulator.stop()
    return HANGUP_EXIT if hung_up else app.return_code or 0
