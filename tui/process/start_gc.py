"""The cyclic garbage collector, held off while the monitor starts.

Importing Textual and tasktop and building the first screen allocate some 75,000 tracked objects,
nearly none of them garbage (about 650 are). The collector still rescans them as they pile up,
about a hundred collections before the first frame, on the one core that start-up runs on. So the
monitor starts with it off (`pause`); once the first rows are up, `resume` puts what start-up
built out of its reach (`gc.freeze`) and turns it back on, which costs nothing at that moment.
`settle`, when the app is idle a little later, collects start-up's few cycles and freezes again.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Turn the collector off until `resume` (only if it is on: never re-enable one the caller
    turned off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Undo `pause`, once; a no-op when nothing was paused (tests, `--demo` in a test app)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()  # the objects start-up built skip the collections that follow
        gc.enable()


def settle() -> None:
    """Collect once what start-up left behind, then keep the survivors out of later collections:
    Python's full collections would otherwise rescan all of it every so often, a pause of about
    0.1 s that lands on whatever page flip it meets."""
    resume()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
