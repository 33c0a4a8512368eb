"""One simulated task: a `Spec` fixed at creation, and its rendering at simulated second t.

Its visible state is a pure function of (spec, t); the streams of world.py decide when tasks exist.
"""

from __future__ import annotations

import functools
import math
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import catalog as C
from .clock import enkrypt_ts, nimble_ts

KINDS = ("redteam", "nimble", "datasets")


@dataclass(slots=True)
class Spec:
    """One task as fixed at creation. `order` breaks ties between equal creation times."""

    key: str
    created: float
    queue: float
    run: float
    ok: bool
    fields: dict[str, Any]
    order: int = 0
    frozen: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)

    def phase(self, t: float) -> str:
        """'queued', 'running' or 'done' at simulated second t (frozen tasks stay queued)."""
        age = t - self.created
        if self.frozen or age < self.queue:
            return "queued"
        return "running" if age < self.queue + self.run else "done"

    @property
    def started(self) -> float:
        return self.created + self.queue

    @property
    def finished(self) -> float:
        return self.created + self.queue + self.run


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def micro(rng: random.Random) -> float:
    """A sub-second fraction so timestamps carry plausible microseconds."""
    return rng.randrange(1_000_000) / 1_000_000


# ----------------------------------------------------------------------------- generators


def make_redteam(rng: random.Random, created: float, index: int) -> Spec:
    kind = rng.choice(C.TEST_KINDS)
    return Spec(
        key=f"red-team-{_uuid(rng)}",
        created=created,
        queue=rng.uniform(5, 180) + micro(rng),
        run=rng.uniform(60, 1200) * (6 if rng.random() < 0.1 else 1) + micro(rng),
        ok=rng.random() > 0.12,
        fields={
            "model_name": rng.choice(C.MODELS),
            "test_name": f"{kind} {index % 97 + 1}",
            "project_name": rng.choice(C.PROJECTS),
            "fail_progress": rng.randrange(3, 95),
        },
    )


@functools.lru_cache(maxsize=8)
def _topics(seed: int) -> tuple[str, ...]:
    topics = list(C.DATASET_TOPICS)
    random.Random(f"{seed}/dataset-names").shuffle(topics)
    return tuple(topics)


def dataset_name(seed: int, index: int) -> str:
    """Unique per index: the topics in a seeded order, then 'Election2', 'Election3', …"""
    topics = _topics(seed)
    rnd, pos = divmod(index, len(topics))
    return topics[pos] if rnd == 0 else f"{topics[pos]}{rnd + 1}"


def make_dataset(rng: random.Random, created: float, name: str) -> Spec:
    tools = [
        {"name": n, "description": d} for n, d in rng.sample(C.TOOLS, rng.choice((0, 0, 1, 2)))
    ]
    return Spec(
        key=f"data-generation-{_uuid(rng)}",
        created=created,
        queue=rng.uniform(5, 90) + micro(rng),
        run=rng.uniform(60, 1200) + micro(rng),
        ok=rng.random() > 0.10,
        fields={
            "dataset_name": name,
            "system_description": rng.choice(C.SYSTEM_DESCRIPTIONS),
            "scenarios": rng.choice((1, 1, 2, 3, 5)),
            "categories": rng.choice((1, 2, 3, 4)),
            "depth": rng.choice((1, 1, 2, 3)),
            "max_prompts": rng.choice((50, 100, 100, 200, 500)),
            "policy_description": rng.choice(C.POLICY_DESCRIPTIONS),
            "info_pdf_url": rng.choice(("", "", "https://docs.example.com/policies/ai-use.pdf")),
            "tools": tools,
            "project_name": rng.choice(C.PROJECTS),
        },
    )


def _nimble_input(rng: random.Random, api_type: str) -> tuple[Any, Any]:
    """(input, _query) for a Nimble task of this api_type."""
    country = rng.choice(C.COUNTRIES)
    url = rng.choice(C.SITES).format(n=rng.randrange(10**6, 10**8))
    if api_type == "serp":
        query = rng.choice(C.QUERIES)
        engine = rng.choice(("google_search", "bing_search"))
        return ({"search_engine": engine, "query": query, "country": country},
                {"q": query, "engine": engine})
    if api_type == "agent":
        return {"agent": rng.choice(C.AGENTS), "params": {"url": url}}, None
    if api_type == "extract":
        return {"url": url, "formats": ["markdown"]}, None
    if api_type == "ecommerce":
        return {"url": url, "parse": True, "country": country}, None
    return {"url": url, "render": rng.random() < 0.6, "country": country}, None


def make_nimble(rng: random.Random, created: float) -> Spec:
    api_type = rng.choice(C.API_TYPES)
    task_input, query = _nimble_input(rng, api_type)
    error = rng.choice(C.NIMBLE_ERRORS)
    return Spec(
        key=_uuid(rng),
        created=math.floor(created),
        queue=0.0,
        run=float(rng.randrange(3, 600)),
        ok=rng.random() > 0.15,
        fields={
            "account_name": rng.choice(C.ACCOUNTS),
            "input": task_input,
            "_query": query,
            "batch_id": _uuid(rng) if rng.random() < 0.3 else None,
            "api_type": api_type,
            "error": error,
        },
    )


# ------------------------------------------------------------------------------ rendering

_ENKRYPT_STATUS = {"queued": "Queued", "running": "Running"}


def enkrypt_status(spec: Spec, t: float) -> str:
    phase = spec.phase(t)
    return _ENKRYPT_STATUS.get(phase) or ("Finished" if spec.ok else "Failed")


def render_redteam(spec: Spec, t: float, *, detail: bool = False) -> dict[str, Any]:
    """A list item of /redteam/list-tasks; `detail` adds the extra fields of get-task."""
    f = spec.fields
    status = enkrypt_status(spec, t)
    out: dict[str, Any] = {
        "status": status,
        "model_name": f["model_name"],
        "task_id": spec.key,
        "test_name": f["test_name"],
        "project_name": f["project_name"],
    }
    if detail:
        phase = spec.phase(t)
        if phase == "queued":
            progress = 0
        elif phase == "running":
            progress = min(99, int(100 * (t - spec.started) / spec.run))
        else:
            progress = 100 if spec.ok else f["fail_progress"]
        out["created_at"] = enkrypt_ts(spec.created)
        out["started_at"] = None if phase == "queued" else enkrypt_ts(spec.started)
        out["completed_at"] = enkrypt_ts(spec.finished) if phase == "done" else None
        out["progress"] = progress
    out.update(spec.overrides)
    return out


def render_dataset(spec: Spec, t: float) -> dict[str, Any]:
    """`data` of /datasets/get-task (the list endpoint shows only `dataset_name`)."""
    f = spec.fields
    out: dict[str, Any] = {"dataset_name": f["dataset_name"], "created_at": enkrypt_ts(spec.created)}
    if spec.phase(t) != "queued":
        out["started_at"] = enkrypt_ts(spec.started)
    out["status"] = enkrypt_status(spec, t)
    for name in ("system_description", "scenarios", "categories", "depth", "max_prompts",
                 "policy_description", "info_pdf_url", "tools", "project_name"):
        out[name] = f[name]
    out["task_id"] = spec.key
    out.update(spec.overrides)
    return out


_NIMBLE_BASE = "https://sdk.nimble.invalid/api/v2/tasks/"


def render_nimble(spec: Spec, t: float) -> dict[str, Any]:
    """One task of /v1/tasks. Optional string fields are omitted (never null) when not set."""
    f = spec.fields
    phase = spec.phase(t)
    state = "pending" if phase != "done" else ("success" if spec.ok else "error")
    out: dict[str, Any] = {"id": spec.key, "state": state}
    if state == "success":
        out["output_url"] = f"s3://nimble-results/{f['account_name']}/{spec.key}.json"
    out["status_url"] = _NIMBLE_BASE + spec.key
    out["download_url"] = _NIMBLE_BASE + spec.key + "/results"
    if state == "error":
        out["error"], out["error_type"] = f["error"][0], f["error"][1]
    out["created_at"] = nimble_ts(spec.created)
    out["modified_at"] = nimble_ts(spec.finished if phase == "done" else spec.created)
    out["account_name"] = f["account_name"]
    out["input"] = f["input"]
    out["_query"] = f["_query"]
    if f["batch_id"]:
        out["batch_id"] = f["batch_id"]
    if state != "pending":
        out["status_code"] = 200 if state == "success" else f["error"][2]
    out["api_type"] = f["api_type"]
    out.update(spec.overrides)
    return out
