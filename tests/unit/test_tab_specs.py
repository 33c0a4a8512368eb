"""The tab specs and their registry, without an app: entry points, order, CLI cells."""

from __future__ import annotations

from tui.providers.models import DatasetTask, NimbleTask, RedteamTask
from tui.tabs import registry
from tui.tabs.registry import BUILTINS, _parse, entry_points, spec, tab_ids


def test_the_built_ins_are_registered_as_entry_points_by_the_install():
    """The installed metadata names them (the fallback in BUILTINS is not what loads them)."""
    assert {name: entry_points()[name] for name in BUILTINS} == BUILTINS


def test_the_built_ins_come_first_in_their_order():
    assert tab_ids()[:3] == ["datasets", "redteam", "nimble"]
    assert [spec(t).provider.name for t in tab_ids()[:3]] == ["enkrypt", "enkrypt", "nimble"]
    assert spec("datasets").provider is spec("redteam").provider  # one client, one key


def test_the_built_in_key_names_stay_as_they_were():
    assert spec("datasets").provider.key_env == "TASKTOP_ENKRYPT_API_KEY"
    assert spec("nimble").provider.key_env == "TASKTOP_NIMBLE_API_KEY"


def test_an_entry_points_file_is_read_by_section_and_ignores_comments():
    text = (
        "[console_scripts]\ntasktop = x:y\n# a comment\n[tasktop.tabs]\n; another\n"
        " toy = toytab:SPEC \nbad line\n[other]\nz = q:r\n"
    )
    assert _parse(text, "tasktop.tabs") == [("toy", "toytab:SPEC")]


def test_an_unknown_tab_is_a_key_error_and_reset_finds_the_same_tabs():
    try:
        spec("no-such-tab")
    except KeyError:
        pass
    else:
        raise AssertionError("spec() found a tab that does not exist")
    before = tab_ids()
    registry.reset()
    assert tab_ids() == before


def cli_row(tab_id: str, record: object) -> list[str]:
    return [column.value(record) for column in spec(tab_id).cli_columns]


def test_cli_columns_give_plain_harmless_one_line_cells():
    hostile = "evil\x1b]52;c;AAAA\x07\nname\u202e"
    task = RedteamTask(task_id="t-1", status="Running", test_name=hostile)
    row = cli_row("redteam", task)
    assert row[:2] == ["Running", "evil\\x1b]52;c;AAAA\\x07 name\\u202e"]
    assert row[2] == "-" and all("\x1b" not in c and "\n" not in c for c in row)
    assert [c.header for c in spec("redteam").cli_columns][0] == "STATUS"


def test_dataset_cli_columns_carry_the_enriched_task_or_the_bare_name():
    task = DatasetTask(dataset_name="Retail", task_id="data-generation-1", status="Finished",
                       created_at="2026-01-01T00:00:00Z")
    headers = [c.header for c in spec("datasets").cli_columns]
    assert headers == ["STATUS", "DATASET", "CREATED", "STARTED", "PROJECT", "TASK ID"]
    assert cli_row("datasets", task) == [
        "Finished", "Retail", "2026-01-01T00:00:00Z", "-", "-", "data-generation-1"
    ]
    assert cli_row("datasets", "Lost") == ["-", "Lost", "-", "-", "-", "-"]


def test_nimble_cli_codes_show_whole_numbers():
    task = NimbleTask(id="n-1", state="failed", status_code=500.0)
    assert cli_row("nimble", task)[4] == "500"
