"""Command-line entry: `tasktop [--demo] …` opens the monitor; subcommands serve scripts and runbooks.

Each subcommand lives in its own module under tui/commands and registers its own arguments, so this
file stays a table of contents and importing it costs nothing (no Textual, no httpx until needed).
Opening the monitor does not import the subcommands at all (`parse_args`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tui.commands import app_cmd

#: The subcommand modules (tui/commands/<name>.py), in the order `--help` lists them.
SUBCOMMANDS = ("tasks_cmd", "watch_cmd", "sim_cmd", "keys_cmd", "serve_cmd", "history_cmd",
               "hooks_cmd")


def _top_parser(cls: type[argparse.ArgumentParser] = argparse.ArgumentParser,
                **kwargs) -> argparse.ArgumentParser:
    """The options of `tasktop` itself: the config's and the monitor's."""
    parser = cls(
        prog="tasktop",
        description="Terminal monitor for Enkrypt AI and Nimble task queues.",
        **kwargs,
    )
    parser.add_argument("--config", metavar="PATH", help="config file (default: user config dir)")
    parser.add_argument("--profile", metavar="P", help="config profile (default: 'default')")
    parser.add_argument(
        "--log", metavar="FILE", dest="log_file",
        help="append a debug log (requests, timings, errors; never keys) to FILE, created 0600",
    )
    app_cmd.add_arguments(parser)
    parser.set_defaults(handler=app_cmd.run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"tui.commands.{name}").register(sub)
    return parser


class _NotTheMonitor(Exception):
    """The command line is not the monitor's alone: the full parser reads it (and says why not)."""


class _MonitorParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _NotTheMonitor(message)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """`build_parser().parse_args(argv)`, without building (or importing) the subcommands when
    the command line opens the monitor: their modules and parsers cost start-up ~15 ms."""
    try:
        args, rest = _top_parser(_MonitorParser, add_help=False).parse_known_args(argv)
    except _NotTheMonitor:
        rest = ["?"]
    if rest:  # a subcommand, --help, a typo: all the full parser's to read or to refuse
        return build_parser().parse_args(argv)
    args.command = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log_file = getattr(args, "log_file", None)
    if log_file:
        from tui.process.logsetup import configure_logging

        try:
            configure_logging(log_file)
        except OSError as exc:
            print(f"tasktop: log: cannot open {log_file}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    finally:
        if log_file:
            configure_logging(None)  # close the file (main() may run again in the same process)


if __name__ == "__main__":
    raise SystemExit(main())
