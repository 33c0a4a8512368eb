"""`tasktop hooks test`: fire each configured hook once with a sample event, one line per hook.

For checking a config before relying on it at 3 a.m.: the sample event (task
`tasktop-hook-test`, Running → Failed) goes to every hook whatever its `on` and `tab`, skipping the
dedupe and the per-minute limit. Exit codes: 0 every hook ok, 1 some hook failed, 2 config error
or no hooks configured.
"""

from __future__ import annotations

import argparse
import sys

EXIT_FAILED = 1
EXIT_CONFIG = 2


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    parser = sub.add_parser(
        "hooks",
        help="check the alert hooks of the config file",
        description="Alert hooks ([[hooks]] in the config file).",
    )
    parser.set_defaults(handler=lambda args: _usage(parser))
    actions = parser.add_subparsers(dest="hooks_command", metavar="ACTION")
    test = actions.add_parser(
        "test",
        help="fire each configured hook once with a sample event",
        description="Fire each configured hook once with a sample event (task tasktop-hook-test, "
        "Running -> Failed) and print one line per hook.",
        epilog="Exit codes: 0 every hook ok, 1 a hook failed, 2 config error or no hooks.",
    )
    test.set_defaults(handler=_test)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_CONFIG


def _test(args: argparse.Namespace) -> int:
    from tui.core.config import ConfigError, load_config
    from tui.core.safe_text import escape_as_codes
    from tui.hooks.deliver import deliver
    from tui.hooks.event import sample_event
    from tui.hooks.runner import env_secrets

    try:
        config = load_config(getattr(args, "config", None), getattr(args, "profile", None))
    except ConfigError as error:
        print(f"tasktop: config: {escape_as_codes(str(error))}", file=sys.stderr)
        return EXIT_CONFIG
    hooks = config.hooks.hooks
    if not hooks:
        where = config.path or "the config file"
        print(f"tasktop: config: no [[hooks]] in {where}", file=sys.stderr)
        return EXIT_CONFIG
    from tui.commands.app_cmd import unknown_hook_tab

    problem = unknown_hook_tab(hooks)
    if problem:
        print(f"tasktop: config: {escape_as_codes(problem)}", file=sys.stderr)
        return EXIT_CONFIG
    secrets = env_secrets()
    failed = 0
    for hook in hooks:
        event = sample_event(hook.tab or "redteam")
        reason = deliver(hook, event, secrets)
        failed += reason is not None
        print(escape_as_codes(f"{hook.label()}: {reason or 'ok'}"), flush=True)
    return EXIT_FAILED if failed else 0
