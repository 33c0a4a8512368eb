"""The repository's copy of the vendor API contract (tests/contract/), for the tests that read it.

Only files inside the clone are read, so the contract tests run on any machine.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import yaml

CONTRACT = Path(__file__).resolve().parents[1] / "contract"


@cache
def _openapi_text(document: str) -> str:
    return (CONTRACT / "openapi" / f"{document}.yaml").read_text(encoding="utf-8")


def openapi(document: str) -> dict:
    """A fresh parse of one OpenAPI document, e.g. `openapi("nimble-list-tasks")`."""
    return yaml.safe_load(_openapi_text(document))


def example_files(document: str, status: int) -> list[Path]:
    """The example fixtures of one document and HTTP status, page examples first."""
    return sorted((CONTRACT / "examples").glob(f"{document}-{status}-*.json"),
                  key=lambda p: ("openapi" in p.name, p.name))


def examples(document: str, status: int) -> list:
    """The example bodies of one document and status; fails when the contract shows none."""
    files = example_files(document, status)
    assert files, f"no {status} example for {document} in {CONTRACT / 'examples'}"
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


def example(document: str, status: int) -> object:
    """The one distinct example body of a document and status (the page may repeat it)."""
    distinct = {json.dumps(b, sort_keys=True): b for b in examples(document, status)}
    assert len(distinct) == 1, f"{document} shows {len(distinct)} different {status} examples"
    return next(iter(distinct.values()))
