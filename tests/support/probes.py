"""Jobs that report on the process running them, for the worker's tests.

This module imports nothing of Flask, so a job from it cannot be what loaded Flask.
"""

from __future__ import annotations

import sys

from runtime import current_runtime


def app_url_of_bound_runtime() -> str:
    """The bound runtime's APP_URL: a job that works only with a runtime bound."""
    return str(current_runtime().config.app_url)


def modules_loaded() -> dict[str, bool]:
    """Whether Flask, or the web adapters, were imported in the process running this job."""
    return {name: name in sys.modules for name in ("flask", "app", "admin", "widgets")}


def note_done(key: str) -> None:
    """Set ``key`` in the runtime's Redis: a job whose run a test can see from outside."""
    current_runtime().redis.set(key, "done")
