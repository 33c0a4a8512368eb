"""Opening the monitor reads its command line without the subcommands: their modules are not
imported, and the arguments come out exactly as the full parser gives them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui.commands.main import SUBCOMMANDS, build_parser, parse_args

MONITOR_LINES = [
    [],
    ["--refresh", "3600", "--per-page", "100"],
    ["--demo", "--sim-latency", "150ms"],
    ["--no-history", "--watch-all", "--alert-on", "terminal", "--no-bell", "--notify"],
    ["--config", "x.toml", "--profile", "p", "--log", "f.log"],
    ["--ref", "5"],  # an abbreviation, as argparse allows
    ["--refresh=2"],
]


@pytest.mark.parametrize("argv", MONITOR_LINES)
def test_the_monitor_line_parses_as_the_full_parser_parses_it(argv):
    assert vars(parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["list", "nimble"], ["--refresh", "5", "sim", "--port", "0"]])
def test_a_subcommand_line_goes_to_the_full_parser(argv):
    assert vars(parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["--per-page", "500"], ["lsit"], ["--refresh"], ["--no"]])
def test_a_bad_line_is_refused_by_the_full_parser(argv, capsys):
    with pytest.raises(SystemExit) as quick:
        parse_args(argv)
    said = capsys.readouterr().err
    with pytest.raises(SystemExit) as full:
        build_parser().parse_args(argv)
    assert quick.value.code == full.value.code == 2
    assert said == capsys.readouterr().err and "usage: tasktop" in said


def test_opening_the_monitor_imports_no_subcommand_module():
    """What `tasktop` runs before the app starts: parse, runtime, the app's module."""
    code = (
        "import sys\n"
        "from tui.commands.main import parse_args\n"
        "from tui.commands.app_cmd import build_runtime\n"
        "build_runtime(parse_args(['--refresh', '3600', '--per-page', '100']))\n"
        "import tui.ui.app\n"
        "print(','.join(m for m in sys.modules if m.startswith('tui.commands.')))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": "/nonexistent", "HOME": "/nonexistent"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    loaded = set(out.stdout.strip().split(","))
    assert loaded == {"tui.commands.main", "tui.commands.app_cmd", "tui.commands.sim_cmd"}
    assert not {f"tui.commands.{name}" for name in SUBCOMMANDS if name != "sim_cmd"} & loaded
