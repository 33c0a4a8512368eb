"""No file of the repository refers to anything outside it, so a fresh clone works on any machine.

The scan covers every file git knows (tracked, or new and not ignored), this one included. Its
patterns are written so that their own source text does not match them (`/wor[k]/` finds the
path but is not that path), and the planted paths of the self-test are assembled from pieces.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: What refers outside the clone, and how to find it on one line of text.
OUTSIDE: list[tuple[str, re.Pattern[str]]] = [
    ("a directory beside the clone", re.compile(r"\.\./share[d]\b")),
    ("an absolute path of one machine", re.compile(
        r"(?<![\w.~\\-])(?:/wor[k]/|/roo[t]/|/hom[e]/\w|/User[s]/|/Volume[s]/)")),
    ("an absolute Windows path", re.compile(r"(?<![^\s\"'`(=,\[])[A-Z]:\\{1,2}\w")),
]
#: A Markdown file named in the text, which must then be a file of the clone.
MARKDOWN_NAME = re.compile(r"(?<![\w./-])([\w./-]*[\w-]\.m[d])\b")
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+")
#: Directories that are never part of the clone's content (used when git is not available).
NOT_CONTENT = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", "build", "dist"}


def repo_files(root: Path) -> list[Path]:
    """The files of the working tree that belong to the repository, relative to `root`."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True, timeout=60,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        found = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in NOT_CONTENT and not d.endswith(".egg-info")]
            found += [Path(folder, f).relative_to(root) for f in files]
        return sorted(found)
    return sorted(Path(p) for p in out.decode().split("\0") if p and (root / p).is_file())


def outside_references(root: Path, files: list[Path]) -> list[str]:
    """`path:line: what: text` for every reference to something outside `root`."""
    names = {f.as_posix() for f in files}
    basenames = {f.name for f in files}
    hits = []
    for rel in files:
        data = (root / rel).read_bytes()
        if b"\0" in data:
            continue  # binary
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            where = f"{rel.as_posix()}:{number}"
            hits += [f"{where}: {what}: {line.strip()}" for what, pattern in OUTSIDE
                     if pattern.search(line)]
            for name in MARKDOWN_NAME.findall(URL.sub("", line)):
                beside = os.path.normpath((rel.parent / name).as_posix())
                if name not in names and beside not in names and name not in basenames:
                    hits.append(f"{where}: a file the clone does not have ({name}): "
                                f"{line.strip()}")
    return hits


def test_no_file_refers_outside_the_clone():
    files = repo_files(ROOT)
    assert Path(__file__).relative_to(ROOT) in files  # the scan covers this file too
    assert Path("README.md") in files and not any(f.parts[0] == ".venv" for f in files)
    hits = outside_references(ROOT, files)
    assert not hits, "files that refer outside the clone:\n" + "\n".join(hits)


def test_the_scan_finds_planted_references(tmp_path: Path):
    sibling = ".." + "/shared/specs"
    planted = {
        "README.md": f"# demo\n\nThe contract is in `{sibling}`.\n",
        "tests/test_x.py": 'import x\nSPECS = "/' + 'work/shared/specs"\n',
        "docs/notes.txt": "\n".join([
            "cache in /" + "root/.cache/x",
            "see /" + "home/alice/src",
            "on a Mac: /" + "Users/bob/tasktop",
            "or C:" + "\\Users\\me\\tasktop",
            'or "D:' + '\\\\work\\\\x"',
            "as in " + "DESIGN" + ".md",
        ]) + "\n",
        "clean.py": "\n".join([
            'TMUX = "/tmp/tmux-0/default,1,0"',
            'URL = "https://docs.example.com/%sork/list-tasks.md"' % "w",  # a URL, not a path
            'CONFIG = "~/.config/tasktop/config.toml"',
            'EVIL = "../evil/tab"',
            'PATTERN = r"\\w:\\d+"',
            'raise TimeoutError(f"not met within {timeout}s:\\n{text}")',
            "# see README.md and docs/notes.txt",
        ]) + "\n",
        ".venv/lib/site.py": "/" + "home/alice/ignored because .venv is not content\n",
    }
    for name, text in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")

    files = repo_files(tmp_path)  # not a git checkout: the walk, without .venv
    assert Path(".venv/lib/site.py") not in files and Path("clean.py") in files
    hits = outside_references(tmp_path, files)
    assert [h.split(": ")[0] for h in hits] == [
        "README.md:3",
        "docs/notes.txt:1", "docs/notes.txt:2", "docs/notes.txt:3", "docs/notes.txt:4",
        "docs/notes.txt:5", "docs/notes.txt:6",
        "tests/test_x.py:2",
    ]
    assert hits[0] == f"README.md:3: a directory beside the clone: The contract is in `{sibling}`."
    assert "a file the clone does not have (" + "DESIGN" + ".md)" in hits[6]
