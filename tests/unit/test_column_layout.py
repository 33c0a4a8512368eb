"""widgets.column_layout: widths from the room available, identifiers as unique tails."""

from __future__ import annotations

import random

from widgets.column_layout import ID_TAIL, Want, fit, unique_tail

STATUS = Want(8, 8)
NAME = Want(30, 12, rank=1)
PROJECT = Want(16, 8, rank=1, priority=4)
CREATED = Want(7, 7, rank=2, priority=3)
TASK_ID = Want(52, 7, rank=0)
WANTS = [STATUS, NAME, CREATED, PROJECT, TASK_ID]


def total(widths, padding=2):
    return sum(w + padding for w in widths if w is not None)


def test_room_for_everything_gives_every_column_its_natural_width_and_no_more():
    assert fit(WANTS, 500, padding=2) == [8, 30, 7, 16, 52]


def test_identifiers_shrink_before_text_is_cut():
    naturals = total([8, 30, 7, 16, 52])
    widths = fit(WANTS, naturals - 40, padding=2)
    assert widths == [8, 30, 7, 16, 12]  # only the id gave up room
    assert total(widths) == naturals - 40


def test_text_is_cut_next_the_widest_first():
    widths = fit(WANTS, total([8, 12, 7, 8, 7]) + 13, padding=2)
    assert widths[4] == 7  # the id at its tail
    assert widths[1] == 17 and widths[3] == 16  # the name comes down; the project stays whole
    assert widths[0] == 8 and widths[2] == 7  # rigid columns keep their width
    widths = fit(WANTS, total([8, 12, 7, 8, 7]) + 3, padding=2)
    assert widths[1] == widths[3] + 1 == 12  # both cut to a common ceiling: 12 and 11


def test_when_even_minimums_do_not_fit_the_lowest_priority_goes_first():
    minimums = total([8, 12, 7, 8, 7])
    widths = fit(WANTS, minimums - 1, padding=2)
    assert widths[2] is None  # created (priority 3) left out; its 9 cells go to the text
    assert widths[:2] == [8, 14] and widths[3:] == [14, 7]
    assert total(widths) == minimums - 1
    widths = fit(WANTS, minimums - 12, padding=2)
    assert widths == [8, 19, None, None, 7]  # then project (4); the name takes what is left
    assert total(widths) == minimums - 12


def test_columns_without_a_priority_are_never_left_out():
    widths = fit(WANTS, 10, padding=2)
    assert widths == [8, 12, None, None, 7]  # too narrow: minimums, the table scrolls sideways


def test_layouts_never_exceed_the_room_when_they_can_fit():
    rng = random.Random(3)
    for _ in range(500):
        wants = []
        for _ in range(rng.randrange(1, 8)):
            natural = rng.randrange(1, 60)
            minimum = rng.randrange(1, natural + 1)
            wants.append(Want(natural, minimum, rng.randrange(3), rng.choice([None, 1, 2, 3])))
        room = rng.randrange(0, 250)
        widths = fit(wants, room, padding=2)
        fixed = total([w.minimum for w in wants if w.priority is None])
        for want, width in zip(wants, widths, strict=True):
            assert width is None or want.minimum <= width <= want.natural
            assert width is not None or want.priority is not None
        if fixed <= room:
            assert total(widths) <= room
        if total([w.natural for w in wants]) <= room:
            assert widths == [w.natural for w in wants]


def test_unique_tail_is_the_shortest_that_keeps_values_apart():
    ids = [f"red-team-{n:08x}-aaaa-{n * 7919:012x}" for n in range(100)]
    length = unique_tail(ids)
    assert length >= ID_TAIL
    assert len({i[-length:] for i in ids}) == len(ids)
    assert len({i[-(length - 1):] for i in ids}) < len(ids) or length == ID_TAIL
    assert unique_tail(["x-123456", "y-123456"]) == 8  # differ only in their 8th-last character
    assert unique_tail(["", ""]) == ID_TAIL
