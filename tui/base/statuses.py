"""The status words tasktop understands, in one place: which phase a word belongs to, which words
end a task, and which count as a failure to alert on.

Vendors drift (`completed`, `in_progress`…), so each phase lists a few synonyms, compared
case-folded. A word in none of them is shown as it is and treated as live: it keeps being
refreshed and never ends a watch.
"""

from __future__ import annotations

QUEUED = frozenset({"queued", "pending", "waiting", "created", "submitted"})
RUNNING = frozenset({"running", "processing", "in_progress", "started", "active"})
#: Ended without a result; trends count these as failed.
FAILED = frozenset({"failed", "error", "cancelled", "canceled"})
FINISHED = frozenset({"finished", "success", "completed", "complete", "done"})
#: After one of these a task never changes again.
TERMINAL = FAILED | FINISHED
#: What alerts, hooks and `watch --fail-on` treat as a failure by default: a cancel was asked
#: for, so it is no news to wake anyone for.
FAILURES = frozenset({"failed", "error"})
