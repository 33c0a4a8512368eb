"""The repository's copy of the vendor API contract is complete and is what the vendor pages show.

tests/contract/refresh.py regenerates openapi/ and examples/ from the saved pages; these tests run
it for real (as a subprocess, on the committed pages and on a planted change in a copy).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.contract import CONTRACT

DOCS_HOSTS = {"docs.enkryptai.com", "docs.nimbleway.com"}


def refresh(contract: Path, pages: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(contract / "refresh.py"), str(pages), *args],
        capture_output=True, text=True, timeout=60, check=False,
    )


def sources() -> dict[str, dict]:
    return tomllib.loads((CONTRACT / "sources.toml").read_text(encoding="utf-8"))["documents"]


def test_every_document_has_its_page_its_openapi_and_its_url():
    documents = sources()
    assert len(documents) == 4
    assert {p.name.removesuffix(".doc.txt") for p in (CONTRACT / "pages").iterdir()} == set(
        documents)
    assert {p.stem for p in (CONTRACT / "openapi").iterdir()} == set(documents)
    for name, source in documents.items():
        for key in ("page", "openapi_origin"):
            if key in source:
                url = urlsplit(source[key])
                assert url.scheme == "https" and url.hostname in DOCS_HOSTS, (name, key)
        assert source["openapi"] in ("verbatim", "written from the page"), name
        if source["openapi"] != "verbatim":
            head = (CONTRACT / "openapi" / f"{name}.yaml").read_text(encoding="utf-8")
            assert head.startswith("# Written from"), f"{name}.yaml must say what it is"
        assert source["copied"], name


def test_every_example_belongs_to_a_document():
    documents = sources()
    names = [p.name for p in (CONTRACT / "examples").iterdir()]
    assert names
    for name in names:
        assert any(name.startswith(f"{d}-") and name.endswith(".json") for d in documents), name


def test_committed_copy_is_what_the_pages_show():
    result = refresh(CONTRACT, CONTRACT / "pages", "--check")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.fixture
def contract_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of tests/contract and a separate directory of 'downloaded' pages."""
    contract = tmp_path / "contract"
    shutil.copytree(CONTRACT, contract, ignore=shutil.ignore_patterns("__pycache__"))
    downloads = tmp_path / "downloads"
    shutil.copytree(CONTRACT / "pages", downloads)
    return contract, downloads


def test_refresh_follows_a_changed_page(contract_copy):
    contract, downloads = contract_copy
    page = downloads / "enkrypt-datasets-list-tasks.doc.txt"
    text = page.read_text(encoding="utf-8").replace(
        '    "Healthcare"\n', '    "Healthcare",\n    "Finance"\n', 1)
    start = text.index("### 400")  # the page stops showing its 400 example
    end = text.index("```\n", text.index("```json", start)) + 4
    page.write_text(text[:start] + text[end:], encoding="utf-8")

    check = refresh(contract, downloads, "--check")
    assert check.returncode == 1
    assert sorted(check.stdout.splitlines()) == [
        "would remove examples/enkrypt-datasets-list-tasks-400-page-1.json",
        "would write examples/enkrypt-datasets-list-tasks-200-page-1.json",
        "would write pages/enkrypt-datasets-list-tasks.doc.txt",
    ]
    assert refresh(contract, downloads).returncode == 0
    example = contract / "examples" / "enkrypt-datasets-list-tasks-200-page-1.json"
    assert '"Finance"' in example.read_text(encoding="utf-8")
    assert not (contract / "examples" / "enkrypt-datasets-list-tasks-400-page-1.json").exists()
    assert (contract / "openapi" / "enkrypt-datasets-list-tasks.yaml").read_bytes() == (
        CONTRACT / "openapi" / "enkrypt-datasets-list-tasks.yaml").read_bytes()
    again = refresh(contract, downloads, "--check")
    assert (again.returncode, again.stdout) == (0, "")
    assert '"Finance"' not in (CONTRACT / "examples" / example.name).read_text(encoding="utf-8")


def test_refresh_refuses_a_page_that_lost_its_openapi_block(contract_copy):
    contract, downloads = contract_copy
    page = downloads / "nimble-list-tasks.doc.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text(text[: text.index("````yaml")], encoding="utf-8")
    result = refresh(contract, downloads)
    assert result.returncode != 0
    assert "nimble-list-tasks: the page has no OpenAPI block" in result.stderr
    assert (contract / "examples" / "nimble-list-tasks-200-openapi.json").exists()


def test_urls_name_every_page_to_download():
    result = subprocess.run([sys.executable, str(CONTRACT / "refresh.py"), "--urls"],
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.splitlines() == [f"{d} {s['page']}" for d, s in sources().items()]
