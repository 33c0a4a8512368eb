"""Which neighbour page a tab fetches, and which copy a flip paints, without a screen."""

from __future__ import annotations

import pytest

from tui.core.neighbours import RATE_LIMIT_QUIET, NeighbourPlan
from tui.providers.base import (
    Page,
    PageInfo,
    PageRequest,
    RateLimited,
    ServerError,
    WalkStats,
)

pytestmark = pytest.mark.neighbours  # the suite turns neighbours off elsewhere

FIRST = PageRequest.first(10)


def page(request: PageRequest, total_pages: int = 5, walk: WalkStats | None = None) -> Page:
    return Page([], PageInfo(kind="number", total_pages=total_pages), request, walk=walk)


def wanted(plan: NeighbourPlan, shown: Page, request: PageRequest = FIRST, **kw) -> object:
    options = {"ready": True, "fetching": False, "now": 1000.0} | kw
    return plan.wanted(shown, request, "number", **options)


def test_a_settled_page_wants_its_next_page_once_per_visit():
    plan = NeighbourPlan()
    assert wanted(plan, page(FIRST)) == FIRST.with_(page=2)
    plan.started(FIRST, FIRST.with_(page=2))
    assert wanted(plan, page(FIRST)) is None  # in flight
    plan.landed(FIRST.with_(page=2))
    assert plan.in_flight is None
    assert wanted(plan, page(FIRST)) is None  # a refresh tick of the same visit


def test_no_neighbour_when_not_ready_or_the_page_is_not_the_one_asked_for():
    plan = NeighbourPlan()
    assert wanted(plan, page(FIRST), ready=False) is None
    assert wanted(plan, page(FIRST), fetching=True) is None
    assert wanted(plan, None) is None
    assert wanted(plan, page(FIRST), request=FIRST.with_(page=3)) is None  # page 3 still loading
    assert wanted(plan, page(FIRST.with_(page=5))) is None  # the last page
    walk = WalkStats(searched=2000, calls=20)
    assert wanted(plan, page(FIRST.with_(status="error"), walk=walk),
                  request=FIRST.with_(status="error")) is None
    plan.copies.keep(page(FIRST.with_(page=2)), 900.0)
    assert wanted(plan, page(FIRST)) is None  # already kept


def test_a_429_keeps_neighbours_quiet_for_a_while_other_errors_do_not():
    plan = NeighbourPlan()
    plan.note_failure(ServerError("x"), now=1000.0)
    assert wanted(plan, page(FIRST)) is not None
    plan.note_failure(RateLimited("slow"), now=1000.0)
    assert wanted(plan, page(FIRST), now=1000.0 + RATE_LIMIT_QUIET - 1) is None
    assert wanted(plan, page(FIRST), now=1000.0 + RATE_LIMIT_QUIET) is not None


def test_the_page_left_is_kept_after_the_copy_flipped_to_is_taken():
    plan = NeighbourPlan(keep=1)
    plan.copies.keep(page(FIRST.with_(page=2)), 10.0)
    shown = page(FIRST)
    plan.note_leaving(shown, FIRST, settled_at=20.0, failed=False)
    copy = plan.take(FIRST.with_(page=2))
    assert copy is not None and copy.fetched_at == 10.0
    kept = plan.copies.peek(FIRST)  # the only slot went to the page left, not the one taken
    assert kept is not None and kept.page is shown and kept.fetched_at == 20.0
    assert plan.take(FIRST.with_(page=3)) is None and len(plan.copies) == 1


def test_a_failed_unsettled_or_walked_page_is_not_kept_when_left():
    plan = NeighbourPlan()
    for shown, request, settled, failed in [
        (page(FIRST), FIRST, 20.0, True),
        (page(FIRST), FIRST, None, False),
        (page(FIRST), FIRST.with_(page=2), 20.0, False),
        (page(FIRST, walk=WalkStats(searched=10, calls=1)), FIRST, 20.0, False),
    ]:
        plan.note_leaving(shown, request, settled_at=settled, failed=failed)
        assert plan.leaving is None
    plan.copies.keep(page(FIRST), 1.0)
    plan.started(FIRST, FIRST.with_(page=2))
    plan.forget()
    assert len(plan.copies) == 0 and plan.visit is None and plan.in_flight is None
