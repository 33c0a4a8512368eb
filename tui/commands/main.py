"""Command-line entry: `tasktop [--demo] …` opens the monitor; subcommands serve scripts and runbooks.

Each subcommand lives in its own module under tui/commands and registers its own arguments, so this
file stays a table of contents and importing it costs nothing (no Textual, no httpx until needed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui.commands import app_cmd, history_cmd, keys_cmd, serve_cmd, sim_cmd, tasks_cmd

SUBCOMMANDS = (tasks_cmd, sim_cmd, keys_cmd, serve_cmd, history_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tasktop",
        description="Terminal monitor for Enkrypt AI and Nimble task queues.",
    )
    parser.add_argument("--config", metavar="PATH", help="config file (default: user config dir)")
    parser.add_argument("--profile", metavar="P", help="config profile (default: 'default')")
    parser.add_argument(
        "--log", metavar="FILE", dest="log_file",
        help="append a debug log (requests, timings, errors; never keys) to FILE, created 0600",
    )
    app_cmd.add_arguments(parser)
    parser.set_defaults(handler=app_cmd.run)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
