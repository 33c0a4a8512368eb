"""What a tab says when a fetch fails: one human line, never a traceback or an error class name.

The provider layer already words its errors for people ("server error 502", "timed out after 10s
waiting for api.example:443", "unexpected response: Expected `str`, got `int` - at `$.tasks[0].status`");
this only picks the short form for the refresh badge (which adds "· retrying in 12s") and the longer
one for the notice line, with a hint where the user can do something about it.
"""

from __future__ import annotations

from tui.providers.base import AuthError, PaymentRequired, ProviderError, RateLimited


def headline(error: ProviderError) -> str:
    """Short reason for the badge: "rate limited (429)", "server error 502", "connection refused: …"."""
    if isinstance(error, RateLimited):
        return f"rate limited ({error.status_code or 429})"
    return error.message


def explanation(error: ProviderError) -> str:
    """The notice line: the full message, plus a hint when waiting will not fix it."""
    if isinstance(error, AuthError):
        return f"{error.message} — press k to replace the key"
    if isinstance(error, PaymentRequired):
        return f"{error.message} — check the account's plan"
    return error.message
