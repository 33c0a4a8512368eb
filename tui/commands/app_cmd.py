"""`tasktop` with no subcommand: open the monitor (placeholder until issue B)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo", action="store_true", help="run against the embedded simulator")
    parser.add_argument("--refresh", type=float, metavar="S", help="refresh interval in seconds")


def run(args: argparse.Namespace) -> int:
    print("tasktop: the monitor arrives with issue B; try `tasktop list --help`.")
    return 0
