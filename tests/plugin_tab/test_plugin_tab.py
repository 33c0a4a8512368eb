"""A tab package of a third party (package/toytab, registered by its dist-info's `tasktop.tabs`
entry point, speaking HTTP to its own fake queue) becomes tasktop's fourth tab with no edit
outside this folder: in the app (Pilot), in `?` help and the palette, and in other processes
(PYTHONPATH)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from support.app import column_text, loaded, make_runtime, row_keys, wait_for

from tui.core.keys import KeyInfo

ROOT = Path(__file__).resolve().parents[2]


def toy_app(sim, toy_server, **kwargs):
    from toytab.server import KEY

    from tui.ui.app import TasktopApp

    keys = {
        "enkrypt": KeyInfo("enkrypt", "demo", sim.enkrypt_key),
        "nimble": KeyInfo("nimble", "demo", sim.nimble_key),
        "toy": KeyInfo("toy", "env", KEY),
    }
    runtime = make_runtime(sim, keys=keys)
    runtime.urls["toy"] = toy_server.url
    return TasktopApp(runtime, **kwargs)


def test_the_registry_finds_the_package_after_the_built_ins(toy_on_path):
    from tui.tabs.registry import problems, spec, tab_ids

    assert tab_ids() == ["datasets", "redteam", "nimble", "toy"]
    assert spec("toy").provider.key_env == "TASKTOP_TOY_API_KEY" and problems() == []


async def test_the_package_is_the_fourth_tab_with_its_rows_detail_and_help(sim, toy_server):
    from toytab.server import jobs

    from tui.ui.screens.help import HelpScreen, key_table
    from widgets.tab_bar import TabBar

    app = toy_app(sim, toy_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "datasets")
        bar = app.query_one(TabBar)
        assert bar.tab_ids == ["datasets", "redteam", "nimble", "toy"]
        assert bar.label("toy").startswith("Toy jobs")

        await pilot.press("4")
        await loaded(pilot, app, "toy")
        assert app.active_tab == "toy" and app.focused is app.view("toy").table
        expected = jobs()[:10]
        assert row_keys(app, "toy") == [job["id"] for job in expected]
        assert column_text(app, "toy", 2) == [job["title"] for job in expected]
        await wait_for(pilot, lambda: bar.label("toy") == "Toy jobs (30)")
        assert any(path.startswith("/jobs?") for path in toy_server.requests)

        await pilot.press("enter")
        view = app.view("toy")
        await wait_for(pilot, lambda: view.detail.title == "toy job number 0")
        assert "/jobs/job-0000" in toy_server.requests
        await pilot.press("escape")

        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        console = Console(record=True, width=100)
        console.print(key_table(app.screen.groups))
        lines = [line.split() for line in console.export_text().splitlines()]
        assert ["4", "Toy", "jobs", "tab"] in lines and ["3", "Nimble", "tab"] in lines
        await pilot.press("escape")

        from tui.ui.palette import TasktopCommands

        helps = {title: help for title, help, _ in TasktopCommands(app.screen).commands()}
        assert helps["Toy jobs tab"] == "key 4"


async def test_the_package_tab_without_its_key_asks_for_it(sim, toy_server):
    from tui.ui.screens.key_dialog import KeyDialog

    app = toy_app(sim, toy_server, start_tab="toy")
    app.runtime.keys.pop("toy")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("toy")
        await wait_for(pilot, lambda: view.is_mounted)
        assert view.source is None and toy_server.requests == []
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, KeyDialog))
        assert app.screen.provider == "toy"
        labels = " ".join(str(label.render()) for label in app.screen.query("Label"))
        assert "Toy jobs" in labels and "TASKTOP_TOY_API_KEY" in labels


def test_a_broken_entry_point_is_one_line_and_the_others_still_load(toy_on_path, tmp_path):
    from tui.tabs import registry

    broken = tmp_path / "broken-0.1.dist-info"
    broken.mkdir()
    (broken / "entry_points.txt").write_text(
        "[tasktop.tabs]\nbroken = no_such_module_for_tasktop:SPEC\nnot_a_spec = toytab:Job\n"
    )
    sys.path.insert(0, str(tmp_path))
    registry.reset()
    try:
        assert registry.tab_ids() == ["datasets", "redteam", "nimble", "toy"]
        found = registry.problems()
    finally:
        sys.path.remove(str(tmp_path))
        registry.reset()
    assert len(found) == 2 and all("\n" not in line for line in found)
    assert "'broken'" in found[0] and "ModuleNotFoundError" in found[0]
    assert "'not_a_spec'" in found[1] and "not a TabSpec" in found[1]


def toy_env(toy_server) -> dict[str, str]:
    from toytab.server import KEY

    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(toy_server_package()), str(ROOT)]),
        TASKTOP_TOY_URL=toy_server.url,
        TASKTOP_TOY_API_KEY=KEY,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def toy_server_package() -> Path:
    return Path(__file__).resolve().parent / "package"


def test_another_process_finds_the_package_through_pythonpath(toy_server, tmp_path):
    code = (
        "import asyncio\n"
        "from tui.core.keys import env_key\n"
        "from tui.process.runtime import Runtime\n"
        "from tui.tabs.registry import tab_ids\n"
        "from tui.providers.base import PageRequest\n"
        "import os\n"
        "print(' '.join(tab_ids()))\n"
        "rt = Runtime('https://e.invalid', 'https://n.invalid', {'toy': env_key('toy')},\n"
        "             urls={'toy': os.environ['TASKTOP_TOY_URL']})\n"
        "async def main():\n"
        "    page = await rt.source('toy').fetch(PageRequest.first(3))\n"
        "    print(' '.join(row.key for row in page.rows))\n"
        "    await rt.aclose()\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=toy_env(toy_server), cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "datasets redteam nimble toy", "job-0000 job-0001 job-0002"
    ]


def test_tasktop_list_prints_the_package_rows(toy_server, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tui", "list", "toy", "--per-page", "3"],
        env=toy_env(toy_server), cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["STATE", "TITLE", "JOB", "ID"]
    assert [line.split()[-1] for line in lines[1:4]] == ["job-0000", "job-0001", "job-0002"]
