"""`tasktop serve`: the same monitor in a browser tab, through textual-serve (optional extra).

textual-serve runs one `python -m tui …` process per browser connection and relays its terminal
over a websocket. It has no authentication, and each session uses this machine's API keys, so the
server binds to 127.0.0.1 and refuses any other address unless --allow-remote is given. The
extra is imported only here; without it the command says how to install it and exits 2.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys

EXIT_USAGE = 2
MISSING_EXTRA = "tasktop serve needs the 'serve' extra: pip install 'tasktop[serve]'"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    parser = sub.add_parser(
        "serve",
        help="serve the monitor in a web browser (needs the 'serve' extra)",
        description="Serve the tasktop monitor over HTTP with textual-serve: every browser tab "
        "gets its own tasktop session. Binds to 127.0.0.1 unless --allow-remote.",
        epilog="Arguments after `--` are passed to each session's `tasktop` (e.g. -- --refresh 2). "
        "Exit codes: 0 stopped, 1 cannot listen, 2 usage or missing extra.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port (default 8000)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a non-loopback --host (no authentication: anyone who can "
                        "reach the port uses your API keys)")
    parser.add_argument("--public-url", metavar="URL",
                        help="URL browsers use to reach the server (behind a proxy or for a "
                        "remote --host); default http://HOST:PORT")
    parser.add_argument("--title", default="tasktop", help="browser tab title")
    parser.add_argument("--demo", action="store_true",
                        help="each session monitors its own embedded simulator (no keys needed)")
    parser.add_argument("--refresh", type=float, metavar="S", help="refresh interval in seconds")
    parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file")
    parser.add_argument("--profile", metavar="P", default=argparse.SUPPRESS, help="config profile")
    parser.add_argument("app_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError("must be between 1 and 65535")
    return value


def app_command(args: argparse.Namespace) -> list[str]:
    """argv of one session: this interpreter running `-m tui` with the pass-through options."""
    argv = [sys.executable, "-m", "tui"]
    for option, value in (
        ("--config", getattr(args, "config", None)),
        ("--profile", getattr(args, "profile", None)),
        ("--log", getattr(args, "log_file", None)),
    ):
        if value:
            if option in ("--config", "--log"):
                value = os.path.abspath(os.path.expanduser(value))
            argv += [option, value]
    if getattr(args, "demo", False):
        argv.append("--demo")
    if getattr(args, "refresh", None) is not None:
        argv += ["--refresh", repr(float(args.refresh))]
    extra = list(getattr(args, "app_args", None) or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    return argv + extra


def shell_command(argv: list[str]) -> str:
    """textual-serve starts sessions through a shell: quote every argument, and let the app
    replace the shell so that the server is its parent (it exits when its parent is gone)."""
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    return "exec " + shlex.join(argv)


def host_problem(host: str, allow_remote: bool) -> tuple[str | None, str | None]:
    """(refusal, warning) for a bind address: loopback is fine, anything else needs the flag."""
    from tui.base.loopback import is_loopback

    if is_loopback(host):
        return None, None
    if not allow_remote:
        return (
            f"tasktop serve: refusing non-loopback --host {host}; the served UI has no "
            "authentication and uses your API keys. Add --allow-remote if you really mean it.",
            None,
        )
    return None, (
        f"tasktop serve: WARNING: listening on {host}: anyone who can reach this port gets a "
        "tasktop session that uses this machine's API keys (there is no authentication)."
    )


def run(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        print(MISSING_EXTRA, file=sys.stderr)
        return EXIT_USAGE
    refusal, warning = host_problem(args.host, args.allow_remote)
    if refusal:
        print(refusal, file=sys.stderr)
        return EXIT_USAGE
    if warning:
        print(warning, file=sys.stderr)
    if args.refresh is not None and not args.refresh > 0:
        print("tasktop serve: --refresh must be a positive number of seconds", file=sys.stderr)
        return EXIT_USAGE
    command = shell_command(app_command(args))
    from tui.process.logsetup import get_logger

    get_logger("serve").info("serving %r on %s:%d", command, args.host, args.port)
    server = Server(command, host=args.host, port=args.port, title=args.title,
                    public_url=args.public_url)
    try:
        server.serve()
    except OSError as exc:
        print(f"tasktop serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    return 0
