"""`tasktop keys set|delete|status`: keep API keys in the OS keyring; say where each key is from.

The key is never a command-line argument (it would land in shell history and `ps`): `set` prompts
without echo on a terminal, else reads it from stdin. Nothing is ever written to a file, and no
output shows more than the last 4 characters of a key (nothing at all for keys under 12 characters).

Exit codes: 0 done — including `delete` of a key that is not stored (the wanted end state holds; the
message says there was nothing to delete); 2 bad input (unknown provider, empty key, whitespace in
the key); 3 the keyring is unusable (the message names the env vars to use instead).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from tui.core import keys

EXIT_BAD_INPUT = 2
EXIT_NO_KEYRING = 3
MAX_KEY_BYTES = 1 << 16
_SHORT = {"no-backend": "no keyring backend", "no-dbus": "no D-Bus session bus",
          "locked": "keyring locked", "timeout": "keyring did not answer", "error": "keyring error"}


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    parser = sub.add_parser(
        "keys",
        help="store, delete, or locate API keys (OS keyring)",
        description="Keep API keys in the OS keyring and see where each key comes from. "
        "The key is prompted for (hidden) or read from stdin, never taken as an argument.",
        epilog=(
            "Lookup order: env var (TASKTOP_ENKRYPT_API_KEY / TASKTOP_NIMBLE_API_KEY) > key typed "
            "in the app for this session > OS keyring. One 'enkrypt' key serves Datasets and Red "
            "team. Exit codes: 0 ok (also deleting a key that is not stored), 2 bad input, "
            "3 keyring unusable."
        ),
    )
    parser.set_defaults(handler=lambda args: _usage(parser))
    actions = parser.add_subparsers(dest="keys_command", metavar="ACTION")
    for name, handler, help_text in (
        ("set", _set, "store a provider's key (prompted, or read from stdin)"),
        ("delete", _delete, "remove a provider's key from the keyring"),
        ("status", _status, "show the keyring backend and where each key is found"),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        if name != "status":
            action.add_argument("provider", choices=keys.PROVIDERS, metavar="PROVIDER",
                                help=" or ".join(keys.PROVIDERS))
        action.add_argument("--profile", metavar="P", default=argparse.SUPPRESS,
                            help="config profile (default: 'default')")
        action.set_defaults(handler=handler)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_BAD_INPUT


def _profile(args: argparse.Namespace) -> str:
    return getattr(args, "profile", None) or keys.DEFAULT_PROFILE


def _err(message: str) -> None:
    print(f"tasktop keys: {message}", file=sys.stderr)


def _read_key(provider: str) -> str:
    """Hidden prompt on a terminal, else stdin; surrounding whitespace stripped."""
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty():
        try:
            return getpass.getpass(f"{provider} API key (input hidden): ").strip()
        except EOFError:
            return ""
    return sys.stdin.read(MAX_KEY_BYTES).strip()


def _env_note(provider: str) -> None:
    if keys.env_key(provider):
        print(f"note: {keys.ENV_VARS[provider]} is set here and takes precedence over the keyring.")


def _set(args: argparse.Namespace) -> int:
    provider, profile = args.provider, _profile(args)
    value = _read_key(provider)
    if not value:
        _err(f"no key given; nothing stored for {provider}.")
        return EXIT_BAD_INPUT
    if not value.isprintable() or any(ch.isspace() for ch in value):
        _err("the key contains whitespace or control characters; nothing stored.")
        return EXIT_BAD_INPUT
    try:
        previous = keys.keyring_key(provider, profile)
        info = keys.store_key(provider, value, profile)
    except keys.KeyringUnavailable as exc:
        _err(f"cannot store the {provider} key: {exc}")
        _err(f"hint: export {keys.ENV_VARS[provider]} from your password manager instead.")
        return EXIT_NO_KEYRING
    verb = "replaced the stored key" if previous else "stored"
    tail = f" ({info.tail()})" if info.tail() else ""
    print(f"{provider}: {verb} in the keyring{tail}, profile '{profile}', "
          f"backend {keys.backend_description()}.")
    _env_note(provider)
    return 0


def _delete(args: argparse.Namespace) -> int:
    provider, profile = args.provider, _profile(args)
    try:
        removed = keys.delete_key(provider, profile)
    except keys.KeyringUnavailable as exc:
        _err(f"cannot delete the {provider} key: {exc}")
        return EXIT_NO_KEYRING
    if removed:
        print(f"{provider}: deleted from the keyring, profile '{profile}'.")
    else:
        print(f"{provider}: no key stored in the keyring for profile '{profile}'; "
              "nothing to delete.")
    _env_note(provider)
    return 0


def _status(args: argparse.Namespace) -> int:
    profile = _profile(args)
    print(f"profile: {profile}")
    print(f"keyring backend: {keys.backend_description()}")
    failure: keys.KeyringUnavailable | None = None
    for provider, found in keys.where_is_my_key(profile):
        if isinstance(found, keys.KeyringUnavailable):
            failure = found
            print(f"{provider}: no key ({_SHORT[found.kind]})")
        else:
            print(f"{provider}: {found.label()}")
    if failure is not None:
        _err(str(failure))
    return 0
