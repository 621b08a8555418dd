"""Python's cycle collector: off while a short command runs, back on for long ones.

Starting a command creates a few hundred thousand objects that live until the
process ends: modules, classes, the validators pydantic builds, WeasyPrint's
tables. While they are being made, the cycle collector walks them again and
again and frees next to nothing; that was about 0.13 s of a one-handout
command of about 1 s (``bench/startup.py``; the same command started with
``gc.disable()`` first, interleaved). A short command ends long before
uncollected cycles would matter, so the collector stays off for it.

A command that keeps running (a batch, the server) turns it back on once it
knows what it is: one collection, then everything still alive is marked as
permanent (``gc.freeze``), so later collections do not walk it again.
"""

from __future__ import annotations

import gc


def pause_for_start() -> None:
    gc.disable()


def resume_for_long_run() -> None:
    """Collect cycles again, ignoring what exists now (it lives as long as the process)."""
    if not gc.isenabled():
        gc.collect()  # what start-up left unreachable, so it is not kept for good
        gc.freeze()
        gc.enable()
