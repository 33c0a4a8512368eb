"""Regenerate the repository's copy of the vendor API contract from freshly downloaded pages.

    python tests/contract/refresh.py PAGES_DIR [--check]
    python tests/contract/refresh.py --urls        # "<document> <page URL>" lines, to download

PAGES_DIR holds one file per document of sources.toml, named `<document>.doc.txt`: the vendor page
as downloaded from its `page` URL. Each page is copied to pages/, its OpenAPI block is written byte
for byte to openapi/<document>.yaml, and every example response it shows (JSON in the page text,
response examples in the OpenAPI block) is written to examples/ as JSON. Fixtures that a page no
longer shows are removed. With `--check` nothing is written: the script lists the files that would
change and exits 1 if there are any, which is how the tests prove the committed copy is faithful.

It writes only next to itself, so it can be run on a copy of this directory.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent

#: The page's OpenAPI block: a ````yaml fence (four backticks, so the YAML may contain three).
_OPENAPI_BLOCK = re.compile(r"^````ya?ml[^\n]*\n(.*?)^````", re.M | re.S)
#: A line that opens a top-level JSON value in the page text.
_JSON_START = re.compile(r"^[{\[]", re.M)
#: A heading line that names the HTTP status of the examples below it ("### 400 Bad Request").
_STATUS_HEADING = re.compile(r"^[#\s]*([1-5]\d\d)\b", re.M)


def load_sources(root: Path = HERE) -> dict[str, dict]:
    """The documents of sources.toml, by name."""
    return tomllib.loads((root / "sources.toml").read_text(encoding="utf-8"))["documents"]


def openapi_block(page: str) -> str | None:
    """The page's OpenAPI document exactly as the page shows it, or None when it has none."""
    match = _OPENAPI_BLOCK.search(page)
    return match.group(1) if match else None


def page_examples(page: str) -> list[tuple[int, object]]:
    """(status, body) of every JSON value written out in the page text, in page order.

    The status is the one named by the last heading since the previous example; 200 when none is.
    """
    block = _OPENAPI_BLOCK.search(page)
    text = page[: block.start()] + page[block.end():] if block else page
    decoder = json.JSONDecoder()
    found: list[tuple[int, object]] = []
    end = 0
    for match in _JSON_START.finditer(text):
        if match.start() < end:
            continue  # inside the value decoded last
        try:
            body, stop = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        headings = _STATUS_HEADING.findall(text, end, match.start())
        found.append((int(headings[-1]) if headings else 200, body))
        end = stop
    return found


def _resolve(doc: dict, node: object) -> object:
    """Follow local `$ref`s (`#/components/...`) to the node they name."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are followed, not {ref!r}")
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def openapi_examples(document: str) -> list[tuple[int, object]]:
    """(status, body) of each JSON response example of the OpenAPI document.

    A response's own `example` comes first, then its named `examples`, else its schema's `example`.
    """
    doc = yaml.safe_load(document)
    found: list[tuple[int, object]] = []
    for operations in doc.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                media = _resolve(doc, response).get("content", {}).get("application/json")
                if not media:
                    continue
                if "example" in media:
                    bodies = [media["example"]]
                elif "examples" in media:
                    bodies = [_resolve(doc, e)["value"] for e in media["examples"].values()]
                else:
                    schema = _resolve(doc, media.get("schema", {}))
                    bodies = [schema["example"]] if "example" in schema else []
                found += [(int(status), body) for body in bodies]
    return found


def render(body: object) -> str:
    """A fixture's text: stable, readable, and with the page's characters as they are."""
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _named(document: str, origin: str, examples: list[tuple[int, object]]) -> dict[str, str]:
    out: dict[str, str] = {}
    counts: dict[int, int] = {}
    for status, body in examples:
        counts[status] = counts.get(status, 0) + 1
        suffix = f"-{counts[status]}" if origin == "page" else ""
        name = f"{document}-{status}-{origin}{suffix}.json"
        if name in out:
            raise ValueError(f"{document}: two {origin} examples for status {status}")
        out[name] = render(body)
    return out


def generate(pages_dir: Path, root: Path = HERE) -> dict[Path, str | None]:
    """Every file of the contract copy under `root` and its new text (None: to be removed)."""
    files: dict[Path, str | None] = {}
    for document, source in load_sources(root).items():
        page_file = pages_dir / f"{document}.doc.txt"
        if not page_file.is_file():
            raise SystemExit(f"refresh: missing page {page_file.name} in {pages_dir}")
        page = page_file.read_bytes().decode("utf-8")  # as downloaded: no newline translation
        files[root / "pages" / page_file.name] = page
        block = openapi_block(page)
        if block is None and source["openapi"] == "verbatim":
            raise SystemExit(f"refresh: {document}: the page has no OpenAPI block any more")
        if block is not None:
            if source["openapi"] != "verbatim":
                print(f"refresh: {document}: the page now has an OpenAPI block; it replaces the "
                      f"written one, so set openapi = \"verbatim\" in sources.toml")
            files[root / "openapi" / f"{document}.yaml"] = block
        examples = _named(document, "page", page_examples(page))
        examples |= _named(document, "openapi", openapi_examples(block) if block else [])
        for old in (root / "examples").glob(f"{document}-*.json"):
            files[old] = None
        files |= {root / "examples" / name: text for name, text in examples.items()}
    return files


def changes(files: dict[Path, str | None]) -> list[Path]:
    """The files whose text on disk differs from `files`."""
    out = []
    for path, text in files.items():
        current = path.read_bytes().decode("utf-8") if path.is_file() else None
        if current != text:
            out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages_dir", type=Path, nargs="?",
                        help="directory of downloaded <document>.doc.txt")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on a change")
    parser.add_argument("--urls", action="store_true", help="print each document and its page URL")
    args = parser.parse_args(argv)
    if args.urls:
        for document, source in load_sources().items():
            print(document, source["page"])
        return 0
    if args.pages_dir is None:
        parser.error("PAGES_DIR is required")
    files = generate(args.pages_dir.resolve())
    changed = changes(files)
    for path in changed:
        verb = "remove" if files[path] is None else "write"
        print(f"{'would ' if args.check else ''}{verb} {path.relative_to(HERE)}")
        if not args.check:
            if files[path] is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(files[path].encode("utf-8"))
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
