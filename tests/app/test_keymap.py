"""User keymaps: the config's `[keymap]` rebinds by binding id; footer, help and palette follow."""

from __future__ import annotations

import pytest
from rich.console import Console
from support.app import loaded, make_runtime, wait_for
from textual.widgets._footer import FooterKey

from tui.commands.main import main
from tui.core.config import ConfigError, load_config
from tui.ui.app import TasktopApp, rebindable_bindings
from tui.ui.keymap import check_keymap
from tui.ui.screens.help import HelpScreen, key_table

# ----------------------------------------------------------------------------- the config table


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keymap_table_is_read_with_dotted_ids_and_key_lists(tmp_path):
    path = write(tmp_path, '[keymap]\nrefresh = "R"\ntab.datasets = "d"\n'
                           '"tab.nimble" = "x"\nnext_page = ["n", "ctrl+n"]\n')
    config = load_config(path, env={})
    assert dict(config.keymap) == {
        "refresh": "R", "tab.datasets": "d", "tab.nimble": "x", "next_page": "n,ctrl+n",
    }
    assert "keymap" not in config.extra


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('keymap = "r"', "`keymap` must be a table"),
        ("[keymap]\nrefresh = 5", '[keymap] `refresh` must be a key such as "r"'),
        ('[keymap]\nrefresh = ["a", 1]', "[keymap] `refresh` must be a key"),
        ('[keymap]\nrefresh = "ctrl r"', "[keymap] `refresh` must be a key"),
        ('[keymap]\ntab.datasets = ""', "[keymap] `tab.datasets` must be a key"),
        ('[profiles.p]\n[profiles.p.keymap]\nrefresh = "R"', "`keymap` belongs at the top level"),
        ('[keys]\nrefresh = "R"', "looks like an API key"),  # the guard stays as strict
    ],
)
def test_a_malformed_keymap_is_one_clear_line(tmp_path, text, fragment):
    path = write(tmp_path, text + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    message = str(info.value)
    assert fragment in message and str(path) in message and "\n" not in message


# ------------------------------------------------------------------------ ids and clashes


def test_check_keymap_normalizes_keys_and_allows_swaps():
    swapped = {"help": "h,?", "next_page": "1", "tab.datasets": "n"}
    keymap = check_keymap(swapped, rebindable_bindings())
    assert keymap == {"help": "h,question_mark", "next_page": "1", "tab.datasets": "n"}


@pytest.mark.parametrize(
    ("keymap", "fragment"),
    [
        ({"refesh": "R"}, "no binding has the id `refesh` (did you mean `refresh`?)"),
        ({"zzz": "R"}, "ids: refresh, pause, filter"),
        ({"refresh": "q"}, "key 'q' would do both `refresh` and `quit`"),
        ({"refresh": "x", "search": "x"}, "key 'x' would do both `refresh` and `search`"),
        ({"next_page": "down"}, "`next_page` = 'down': that key is taken by the task table"),
        ({"export": "ctrl+p"}, "taken by the command palette"),
    ],
)
def test_check_keymap_refuses_unknown_ids_and_clashes(keymap, fragment):
    with pytest.raises(ConfigError) as info:
        check_keymap(keymap, rebindable_bindings(), "c.toml")
    assert fragment in str(info.value) and str(info.value).startswith("c.toml: [keymap] ")


def test_the_app_refuses_a_bad_keymap_when_built(sim):
    with pytest.raises(ConfigError, match="no binding has the id `nope`"):
        keymapped_app(sim, {"nope": "x"})


def test_every_binding_has_a_unique_id():
    ids = [binding.id for binding in rebindable_bindings()]
    assert None not in ids and len(ids) == len(set(ids))


def test_the_cli_refuses_a_clashing_keymap_before_the_app_starts(tmp_path, clean_env, capsys):
    clean_env.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    clean_env.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    path = write(tmp_path, '[keymap]\nrefresh = "q"\n')
    with pytest.raises(SystemExit) as info:
        main(["--config", str(path)])
    assert str(info.value) == (
        f"tasktop: config: {path}: [keymap] key 'q' would do both `refresh` and `quit`; "
        "give one of them another key"
    )


# ------------------------------------------------------------------------------- in the app


def keymapped_app(sim, keymap: dict[str, str]) -> TasktopApp:
    runtime = make_runtime(sim)
    runtime.keymap = keymap
    return TasktopApp(runtime)  # checks the keymap and sets it


async def test_a_rebound_key_works_and_footer_help_and_palette_show_it(sim):
    app = keymapped_app(sim, {"refresh": "R", "tab.nimble": "x", "help": "h"})
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("datasets")
        await loaded(pilot, app, "datasets")
        footer = {key.description: key.key_display for key in app.query(FooterKey)}
        assert footer["Refresh"] == "R" and footer["Help"] == "h"
        descriptions = list(footer)
        assert descriptions.index("Refresh") < descriptions.index("Pause")  # declared order kept
        sim.reset_counts()
        await pilot.press("r")  # no longer bound
        await pilot.pause()
        assert view.ticks == 1
        await pilot.press("R")
        await wait_for(pilot, lambda: view.ticks == 2)
        assert sim.counts().get("/datasets/list-tasks") == 1

        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        console = Console(record=True, width=100)
        console.print(key_table(app.screen.groups))
        lines = console.export_text().splitlines()
        assert any(line.split() == ["R", "Refresh", "this", "tab", "now"] for line in lines)
        assert any(line.split()[:2] == ["h", "Show"] for line in lines)
        await pilot.press("escape")
        assert app.keys_for("refresh_now") == "R" and app.keys_for("show_tab('nimble')") == "x"

        await pilot.press("x")
        await loaded(pilot, app, "nimble")
        assert app.active_tab == "nimble" and app.focused is app.view("nimble").table


async def test_the_palette_names_the_rebound_key(sim):
    from tui.ui.palette import TasktopCommands

    app = keymapped_app(sim, {"next_page": "j,n"})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "datasets")
        provider = TasktopCommands(app.screen)
        helps = {title: help_text for title, help_text, _ in provider.commands()}
        assert helps["Next page"] == "key j n" and helps["Refresh now"] == "key r"
        assert helps["Help: all keys"] == "key ?"
