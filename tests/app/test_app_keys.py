"""The app's key handling (issue C): keyring lookup off the UI thread, the `k` dialog, refused keys,
unusable keyrings, a real Secret Service, and that a key never reaches the screen."""

from __future__ import annotations

import keyring.backends.fail
import pytest
from support.app import built, loaded, wait_for
from support.keyring_service import (  # noqa: F401 - fixtures
    BlockingKeyring,
    MemoryKeyring,
    secret_service,
    secret_service_keyring,
    use_backend,
)

from tui.core import keys
from tui.core.keys import KeyInfo
from tui.process.runtime import Runtime
from tui.sim.server import start_simulator
from tui.ui.app import TasktopApp

SECRET = "sk-TESTSECRET-0123456789abcdef"
NIMBLE_SECRET = "nb-TESTSECRET-fedcba9876543210"


pytestmark = pytest.mark.usefixtures("no_keys")


@pytest.fixture
def secret_sim():
    server = start_simulator(manual_clock=True, enkrypt_key=SECRET, nimble_key=NIMBLE_SECRET)
    try:
        yield server
    finally:
        server.stop()


def keyless_app(sim, start_tab="datasets", profile="default") -> TasktopApp:
    runtime = Runtime(
        sim.url,
        sim.url,
        {p: KeyInfo(p, "none") for p in keys.PROVIDERS},
        3600.0,
        profile,
        now=sim.now,
    )
    return TasktopApp(runtime, start_tab=start_tab)


def notice_text(app, tab_id) -> str:
    """The tab's notice line ("" while the view is still being built)."""
    view = app.view(tab_id)
    return str(view.query_one(".notice").render()) if view.is_mounted else ""


async def type_key(pilot, value: str) -> None:
    await wait_for(pilot, lambda: pilot.app.screen.__class__.__name__ == "KeyDialog")
    await pilot.press(*value)


async def test_keys_found_in_the_keyring_load_the_tabs(secret_sim, use_backend):
    backend = use_backend(MemoryKeyring())
    backend.store[("tasktop", "default:enkrypt")] = SECRET
    app = keyless_app(secret_sim)
    async with app.run_test() as pilot:
        await loaded(pilot, app, "datasets")
        label = str(app.view("datasets").query_one(".key-label").render())
        assert label == "default · key: keyring …cdef"
        nimble = await built(pilot, app, "nimble")
        assert "no key" in str(nimble.query_one(".key-label").render())


async def test_a_key_found_while_hidden_tabs_are_being_built_reaches_them(secret_sim, use_backend):
    """The keyring may answer after a hidden tab's view is mounted but before its children
    exist; that view still gets the key, and another the notice meant for it."""
    use_backend(MemoryKeyring())
    app = keyless_app(secret_sim)
    app.mount_hidden_views = lambda: None  # the test picks the moment the hidden tabs are built
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: "press k" in notice_text(app, "datasets"))
        del app.mount_hidden_views
        redteam = app.view("redteam")  # builds the hidden views: in the DOM, not composed yet
        nimble = app.view("nimble")
        assert not redteam.is_mounted and not nimble.is_mounted
        nimble.notice("no key: the keyring is locked")
        app.use_key(KeyInfo("enkrypt", "keyring", SECRET))
        await built(pilot, app, "redteam")
        await built(pilot, app, "nimble")
        assert str(redteam.query_one(".key-label").render()) == "default · key: keyring …cdef"
        assert redteam.source is not None and redteam.badge.display
        assert notice_text(app, "redteam") == ""
        assert notice_text(app, "nimble") == "no key: the keyring is locked"
        await pilot.press("2")
        await loaded(pilot, app, "redteam")
        assert redteam.table.row_count == redteam.request.per_page  # a full first page


async def test_tab_without_key_offers_k_and_the_dialog_saves_to_the_keyring(
    secret_sim, use_backend
):
    backend = use_backend(MemoryKeyring())
    app = keyless_app(secret_sim, start_tab="nimble")
    async with app.run_test() as pilot:
        view = app.view("nimble")
        await wait_for(pilot, lambda: backend.gets >= 2)  # both providers were looked up
        await pilot.pause()
        assert "press k" in notice_text(app, "nimble") and view.source is None
        await pilot.press("k")
        await type_key(pilot, NIMBLE_SECRET)
        await pilot.press("enter")
        await loaded(pilot, app, "nimble")
        assert backend.store[("tasktop", "default:nimble")] == NIMBLE_SECRET
        assert "key: keyring …3210" in str(view.query_one(".key-label").render())


async def test_unusable_keyring_says_why_and_session_key_works(secret_sim, use_backend):
    use_backend(keyring.backends.fail.Keyring())
    app = keyless_app(secret_sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "TASKTOP_ENKRYPT_API_KEY" in notice_text(app, "redteam"))
        await pilot.press("k")
        await type_key(pilot, SECRET)
        await pilot.press("enter")  # try to save: the keyring refuses
        status = app.screen.query_one("#key-status")
        await wait_for(pilot, lambda: "not saved" in str(status.render()))
        assert app.screen.focused.id == "session"
        await pilot.press("enter")  # "This session only"
        await loaded(pilot, app, "redteam")
        label = str(app.view("redteam").query_one(".key-label").render())
        assert label == "default · key: session …cdef (not saved)"
        # one Enkrypt key serves both Enkrypt tabs
        assert app.view("datasets").source is not None


async def test_hung_keyring_never_freezes_the_ui(secret_sim, use_backend, monkeypatch):
    monkeypatch.setenv(keys.TIMEOUT_ENV, "0.5")
    backend = use_backend(BlockingKeyring())
    app = keyless_app(secret_sim, start_tab="nimble")
    async with app.run_test() as pilot:
        await wait_for(pilot, backend.entered.is_set)
        # while the keyring call hangs, the UI answers keys
        await pilot.press("2")
        await pilot.pause()
        assert app.active_tab == "redteam"
        await wait_for(pilot, lambda: "did not answer within" in notice_text(app, "redteam"))
        await pilot.press("k")
        await type_key(pilot, SECRET)
        await pilot.click("#session")
        await loaded(pilot, app, "redteam")


async def test_refused_key_offers_k_to_replace_it(secret_sim):
    runtime = Runtime(
        secret_sim.url,
        secret_sim.url,
        {"enkrypt": KeyInfo("enkrypt", "env", "wrong-key-000000000"), "nimble": KeyInfo("nimble", "none")},
        3600.0,
        now=secret_sim.now,
    )
    app = TasktopApp(runtime, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await wait_for(pilot, lambda: view.error is not None)
        assert view.error.kind == "auth"
        assert "press k to replace the key" in notice_text(app, "redteam")
        await pilot.press("k")
        await type_key(pilot, SECRET)
        reason = str(app.screen.query_one(".error").render())
        assert "refused" in reason
        await pilot.click("#session")
        await loaded(pilot, app, "redteam")
        assert view.error is None


async def test_dialog_stores_in_a_real_secret_service(secret_sim, secret_service_keyring):
    app = keyless_app(secret_sim, start_tab="redteam", profile="ci")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("k")
        await type_key(pilot, SECRET)
        await pilot.press("enter")
        await loaded(pilot, app, "redteam")
    assert secret_service_keyring.get_password("tasktop", "ci:enkrypt") == SECRET
    # a second app finds it there by itself, and `k` replaces it
    app = keyless_app(secret_sim, start_tab="redteam", profile="ci")
    async with app.run_test() as pilot:
        await loaded(pilot, app, "redteam")
        assert "keyring …cdef" in str(app.view("redteam").query_one(".key-label").render())
    secret_service_keyring.delete_password("tasktop", "ci:enkrypt")


async def test_no_screen_shows_the_key(secret_sim, monkeypatch):
    """Every screen of the app, with a known key in use, is searched for the key's bytes."""
    monkeypatch.setenv("TASKTOP_ENKRYPT_API_KEY", SECRET)
    runtime = Runtime(
        secret_sim.url,
        secret_sim.url,
        {"enkrypt": keys.env_key("enkrypt"), "nimble": KeyInfo("nimble", "session", NIMBLE_SECRET)},
        3600.0,
        now=secret_sim.now,
    )
    app = TasktopApp(runtime)
    screens: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:
        for number, tab_id in (("1", "datasets"), ("2", "redteam"), ("3", "nimble")):
            await pilot.press(number)
            await loaded(pilot, app, tab_id)
            screens.append(app.export_screenshot())
            await pilot.press("enter")
            view = app.view(tab_id)
            await wait_for(pilot, lambda v=view: v.detail.title is not None)
            screens.append(app.export_screenshot())
            await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        screens.append(app.export_screenshot())
        await pilot.press("escape", "k")
        await type_key(pilot, SECRET)
        await pilot.pause()
        screens.append(app.export_screenshot())
    for svg in screens:
        for secret in (SECRET, NIMBLE_SECRET):
            assert secret not in svg and secret[:8] not in svg and secret[:-4] not in svg
