"""Pause the cyclic garbage collector around bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run a block without the cyclic garbage collector (reference counting still frees).

    Loading a schedule and building its feeds create hundreds of thousands of small objects
    that live until the block ends and form no reference cycles; each full collection would
    walk all of them again, which cost a province-sized build a sixth of its time.
    """
    if not gc.isenabled():  # nested: the outer block turns it back on
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
