"""`tasktop sim`: run the simulator in the foreground and print how to point tasktop at it.

Meant for demos, manual testing and runbooks; the demo keys it prints are not secrets (they only
open this local server). It refuses a non-loopback --host unless --allow-remote is given, because
the simulator has unauthenticated control endpoints under /_sim/.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    parser = sub.add_parser(
        "sim",
        help="run the local API simulator (Enkrypt + Nimble) in the foreground",
        description="Serve simulated Enkrypt AI and Nimble task APIs on loopback until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the simulated tasks")
    parser.add_argument("--rate", type=_positive, default=5.0,
                        help="simulated seconds per real second (default 5)")
    parser.add_argument("--latency", type=duration_arg, default=0.0, metavar="D",
                        help="delay every API answer by D (150ms, 0.15s, 2s)")
    parser.add_argument("--jitter", type=duration_arg, default=0.0, metavar="D",
                        help="plus a random 0..D on each answer (deterministic per --seed)")
    parser.add_argument("--tasks", type=_count, default=None, metavar="N",
                        help="tasks per tab before new ones arrive (default: a few hundred)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a non-loopback --host (control endpoints have no auth)")
    parser.add_argument("--log", action="store_true", help="print one line per request")
    parser.set_defaults(handler=run)


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def duration_arg(text: str) -> float:
    """An argparse type: seconds in "150ms", "0.15s" or "2s"."""
    from tui.sim.latency import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def run(args: argparse.Namespace) -> int:
    from tui.base.loopback import is_loopback
    from tui.sim.server import start_simulator

    if not is_loopback(args.host) and not args.allow_remote:
        print(f"tasktop sim: refusing non-loopback --host {args.host}; add --allow-remote "
              "(the /_sim/ control endpoints have no auth)", file=sys.stderr)
        return 2
    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.log else None
    stop_signals = _stop_signals()
    # Blocked before the server's threads start (they inherit the mask): a stop signal then
    # waits for `sigwait` below instead of interrupting whatever runs when it arrives.
    _block(stop_signals, True)
    try:
        try:
            sim = start_simulator(seed=args.seed, port=args.port, rate=args.rate,
                                  host=args.host, allow_remote=args.allow_remote, log=log,
                                  latency=args.latency, jitter=args.jitter, tasks=args.tasks)
        except OSError as exc:
            print(f"tasktop sim: cannot listen on {args.host}:{args.port}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return 1
        try:
            extras = "".join([
                f", latency {args.latency * 1000:g} ms" if args.latency else "",
                f" + jitter {args.jitter * 1000:g} ms" if args.jitter else "",
                f", {args.tasks} tasks per tab" if args.tasks is not None else "",
            ])
            print(f"tasktop simulator on {sim.url} (seed {args.seed}, rate {args.rate:g}x{extras})")
            print("Point tasktop at it (demo keys, not secrets):")
            print(f"  export TASKTOP_ENKRYPT_URL={sim.url}")
            print(f"  export TASKTOP_NIMBLE_URL={sim.url}")
            print(f"  export TASKTOP_ENKRYPT_API_KEY={sim.enkrypt_key}")
            print(f"  export TASKTOP_NIMBLE_API_KEY={sim.nimble_key}")
            print("Ctrl-C to stop.", flush=True)
            _wait_for(stop_signals)
        finally:
            sim.stop()
    finally:
        _block(stop_signals, False)
    print("simulator stopped", file=sys.stderr)
    return 0


def _stop_signals() -> set[signal.Signals]:
    """SIGTERM, and SIGINT unless it was ignored on entry (a background job of a script)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        return {signal.SIGTERM}
    return {signal.SIGINT, signal.SIGTERM}


def _block(signals: set[signal.Signals], block: bool) -> None:
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK if block else signal.SIG_UNBLOCK, signals)


def _wait_for(signals: set[signal.Signals]) -> None:
    """Until one of `signals` arrives. Taken synchronously: a handler could land before the
    cleanup is armed, or deadlock on a lock the interrupted main thread holds."""
    if hasattr(signal, "sigwait"):
        signal.sigwait(signals)
        return
    try:  # Windows: Ctrl-C arrives as KeyboardInterrupt, which time.sleep lets through there
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
