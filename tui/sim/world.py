"""The simulated task population: deterministic from the seed, evolving with simulated time.

A task is a `Spec` fixed at creation (when it was created, how long it queues and runs, how it
ends). Its visible state at simulated second t is a pure function of (spec, t), so no thread mutates
lists; new tasks are materialised lazily when the clock passes their creation time. The ordered
tasks and their lookups are cached per (whole simulated second, population version); rows are
rendered only when a page is read, so a page of a 100,000-task world costs a page.
"""

from __future__ import annotations

import functools
import math
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, overload

from .tasks import (
    KINDS,
    Spec,
    dataset_name,
    enkrypt_status,
    make_dataset,
    make_nimble,
    make_redteam,
    micro,
    render_dataset,
    render_nimble,
    render_redteam,
)

# ------------------------------------------------------------------------------- streams


@dataclass(frozen=True, slots=True)
class StreamConfig:
    initial: int  # tasks existing before the epoch
    span: float  # their creation times spread over this many seconds before the epoch
    interval: float  # a new task roughly every `interval` simulated seconds after it


CONFIGS = {
    "redteam": StreamConfig(initial=300, span=14 * 86400, interval=20),
    "nimble": StreamConfig(initial=400, span=7 * 86400, interval=20),
    "datasets": StreamConfig(initial=60, span=30 * 86400, interval=60),
}


#: The rendered field that holds a task's key, per kind.
KEY_FIELDS = {"redteam": "task_id", "nimble": "id", "datasets": "task_id"}


class RenderedRows(Sequence[dict[str, Any]]):
    """Rows rendered when read: a page of a 100,000-task world costs a page, not the world."""

    def __init__(self, specs: list[Spec], t: float, render: Callable[[Spec, float], dict]):
        self._specs = specs
        self._t = t
        self._render = render

    def __len__(self) -> int:
        return len(self._specs)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._render(s, self._t) for s in self._specs[index]]
        return self._render(self._specs[index], self._t)


class Snapshot:
    """The rows of one task kind at one simulated second, newest first, plus lookups."""

    def __init__(self, t: float, specs: list[Spec], render: Callable[[Spec, float], dict],
                 key_field: str = "task_id"):
        self.t = t
        self.specs = specs
        self.rows = RenderedRows(specs, t, render)
        self.index = {s.key: i for i, s in enumerate(specs)}
        self._render = render
        self._key_field = key_field
        self._by_status: dict[str, RenderedRows] = {}
        self._by_field: dict[str, dict[Any, int]] = {}

    def with_status(self, status: str | None) -> Sequence[dict[str, Any]]:
        """The rows whose Enkrypt status is `status` (all rows for None)."""
        if status is None:
            return self.rows
        if status not in self._by_status:
            t = self.t
            specs = [s for s in self.specs
                     if s.overrides.get("status", enkrypt_status(s, t)) == status]
            self._by_status[status] = RenderedRows(specs, t, self._render)
        return self._by_status[status]

    def find(self, name: str, value: Any) -> dict[str, Any] | None:
        """The newest row whose field `name`, one fixed at creation (the key or a fields entry,
        such as dataset_name), equals `value`."""
        if name not in self._by_field:
            table: dict[Any, int] = {}
            for pos in range(len(self.specs) - 1, -1, -1):
                try:
                    table[self._fixed_field(self.specs[pos], name)] = pos
                except TypeError:  # an unhashable value set by add_task
                    continue
            self._by_field[name] = table
        try:
            pos = self._by_field[name].get(value)
        except TypeError:
            return None
        return None if pos is None else self.rows[pos]

    def _fixed_field(self, spec: Spec, name: str) -> Any:
        if name in spec.overrides:
            return spec.overrides[name]
        return spec.key if name == self._key_field else spec.fields.get(name)


class Stream:
    """All tasks of one kind: seeded history, lazily materialised future, tasks added by tests."""

    def __init__(self, seed: int, kind: str, initial: int | None = None) -> None:
        self.seed = seed
        self.kind = kind
        self.config = CONFIGS[kind] if initial is None else replace(CONFIGS[kind], initial=initial)
        self._default_size = initial is None or initial == CONFIGS[kind].initial
        self._specs: list[Spec] = []  # oldest first; the history is made on first use
        self._seeded = False
        self._next_k = 1
        self._pending: Spec | None = None
        self._added = 0
        self._version = 0
        self._cache: tuple[tuple[int, int], Snapshot] | None = None
        self._lock = threading.Lock()

    # -- generation
    def _make(self, rng: random.Random, created: float, index: int) -> Spec:
        return _make(self.seed, self.kind, rng, created, index)

    def _seed_history(self) -> None:
        """Make the tasks that exist before the epoch, once (a tab never read costs nothing)."""
        if self._seeded:
            return
        if self._default_size:
            history: tuple[Spec, ...] = _history(self.seed, self.kind)
        else:  # not cached: a big world is made once per server and should go with it
            history = _make_history(self.seed, self.kind, self.config)
        self._specs = [*history, *self._specs]
        self._seeded = True

    def _future(self, k: int) -> Spec:
        rng = random.Random(f"{self.seed}/{self.kind}/new/{k}")
        jitter = rng.uniform(0, self.config.interval / 2)
        created = k * self.config.interval + jitter
        return self._make(rng, created, self.config.initial + k - 1)

    def _materialise(self, t: float) -> None:
        self._seed_history()
        while True:
            if self._pending is None:
                self._pending = self._future(self._next_k)
            if self._pending.created > t:
                return
            self._specs.append(self._pending)
            self._pending = None
            self._next_k += 1
            self._version += 1
            self._resort()

    def _resort(self) -> None:
        # Tasks added by tests can precede generated ones appended later; keep a total order.
        if len(self._specs) > 1 and _sort_key(self._specs[-2]) > _sort_key(self._specs[-1]):
            self._specs.sort(key=_sort_key)

    # -- public
    def snapshot(self, t: float) -> Snapshot:
        sec = math.floor(t)
        with self._lock:
            self._materialise(sec)
            key = (sec, self._version)
            if self._cache is not None and self._cache[0] == key:
                return self._cache[1]
            specs = self._specs[::-1]
        snap = Snapshot(sec, specs, RENDERERS[self.kind], KEY_FIELDS[self.kind])
        with self._lock:
            self._cache = (key, snap)
        return snap

    def add(self, t: float, overrides: dict[str, Any]) -> Spec:
        """Insert a newest task that never changes; `overrides` replace or add rendered fields."""
        with self._lock:
            self._materialise(math.floor(t))
            self._added += 1
            rng = random.Random(f"{self.seed}/{self.kind}/added/{self._added}")
            index = self.config.initial + 10_000 + self._added
            spec = self._make(rng, math.floor(t), index)
            spec.order = self._added
            spec.frozen = True
            spec.overrides = dict(overrides)
            key_field = KEY_FIELDS[self.kind]
            if key_field in overrides:
                spec.key = str(overrides[key_field])
            self._specs.append(spec)
            self._resort()
            self._version += 1
            return spec

    def update(self, key: str, overrides: dict[str, Any]) -> None:
        """From now on render the task `key` (its id, or a dataset's name) with `overrides`."""
        with self._lock:
            self._seed_history()
            for index, spec in enumerate(self._specs):
                name = spec.overrides.get("dataset_name", spec.fields.get("dataset_name"))
                if key in (spec.key, name):
                    # A copy: history specs are shared by every stream of the seed.
                    merged = {**spec.overrides, **overrides}
                    self._specs[index] = replace(spec, overrides=merged)
                    self._version += 1
                    return
        raise KeyError(f"no {self.kind} task {key!r}")


def _make(seed: int, kind: str, rng: random.Random, created: float, index: int) -> Spec:
    if kind == "redteam":
        return make_redteam(rng, created, index)
    if kind == "nimble":
        return make_nimble(rng, created)
    return make_dataset(rng, created, dataset_name(seed, index))


@functools.lru_cache(maxsize=8)
def _history(seed: int, kind: str) -> tuple[Spec, ...]:
    """The default world's tasks before the epoch, oldest first; shared (never mutated) per seed."""
    return _make_history(seed, kind, CONFIGS[kind])


def _make_history(seed: int, kind: str, cfg: StreamConfig) -> tuple[Spec, ...]:
    """`cfg.initial` tasks created before the epoch, oldest first, deterministic from the seed."""
    rng = random.Random(f"{seed}/{kind}/history")
    ages = sorted(
        (cfg.span * ((i + rng.random()) / cfg.initial) ** 2 + 30 + micro(rng)
         for i in range(cfg.initial)),
        reverse=True,
    )
    return tuple(_make(seed, kind, rng, -age, i) for i, age in enumerate(ages))


def _sort_key(spec: Spec) -> tuple[float, int]:
    return (spec.created, spec.order)


RENDERERS: dict[str, Callable[[Spec, float], dict]] = {
    "redteam": render_redteam,
    "nimble": render_nimble,
    "datasets": render_dataset,
}


class World:
    """The three task streams of one seed; `tasks` tasks per stream before the epoch (None: the
    default few hundred)."""

    def __init__(self, seed: int = 0, tasks: int | None = None) -> None:
        if tasks is not None and (isinstance(tasks, bool) or tasks < 0):
            raise ValueError("tasks must be >= 0")
        self.seed = seed
        self.streams = {kind: Stream(seed, kind, tasks) for kind in KINDS}

    def snapshot(self, kind: str, t: float) -> Snapshot:
        return self.streams[kind].snapshot(t)

    def add(self, kind: str, t: float, overrides: dict[str, Any]) -> Spec:
        if kind not in self.streams:
            raise ValueError(f"unknown task kind {kind!r}; expected one of {', '.join(KINDS)}")
        return self.streams[kind].add(t, overrides)

    def update(self, kind: str, key: str, overrides: dict[str, Any]) -> None:
        if kind not in self.streams:
            raise ValueError(f"unknown task kind {kind!r}; expected one of {', '.join(KINDS)}")
        self.streams[kind].update(key, overrides)
