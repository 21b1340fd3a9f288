"""The intake's enqueue window: deliveries that arrive close together share one Redis call.

Under a flood, a blocking Redis round trip after each delivery's INSERT puts the web process to
sleep and wakes Redis, then the web process again; on a busy machine that switching costs more
than the command (bench/RESULTS.md: 1,085 against 916 µs of the machine's CPU per delivery,
without and with the window). So a web process enqueues the first delivery at once, as before,
and then, for ``WEBHOOK_ENQUEUE_WINDOW_MS``, gathers the ids of the ``webhooks``-queue
deliveries that follow and appends them to the batch list together when the window ends (a
timer thread), in one call. A quiet shop's deliveries are each enqueued before their answer; a flood's wait at most
the window.

Nothing is lost: every row is committed before its 200, as ``enqueued``. Ids a process had
gathered when Redis failed are put back to ``received``; ids gathered by a process that died
before its window ended are found by the outbox sweeper (as after a Redis outage). A process
that exits normally sends what it gathered first. Compliance topics, and ``WEBHOOK_BATCH_SIZE``
1 (a job per event), are always enqueued at once.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time

from redis.exceptions import RedisError

from jobs import batch_list
from jobs.queueing import enqueue_event, queue_for
from loyalty.shopify import webhook_events
from runtime import Runtime

log = logging.getLogger(__name__)

_KEY = "enqueue_window"


def enqueue(rt: Runtime, event_id: int, topic: str) -> None:
    """Queue a just-recorded event now, or within the window; on failure leave it to the
    sweeper (its row back to ``received``)."""
    seconds = rt.config.webhook_enqueue_window_ms / 1000
    if seconds > 0 and rt.config.webhook_batch_size > 1 and queue_for(topic) == "webhooks":
        window = rt.local.get(_KEY)
        if window is None:
            window = rt.local.setdefault(_KEY, EnqueueWindow(rt, seconds))
        window.add(event_id)
    elif not enqueue_event(rt, event_id, topic, mark=False):
        webhook_events.enqueue_failed(rt.sessions, [event_id])


class EnqueueWindow:
    """One process's gathered ids for the ``webhooks`` queue's batch list."""

    def __init__(self, rt: Runtime, seconds: float) -> None:
        self._rt = rt
        self._seconds = seconds
        self._lock = threading.Lock()
        self._ids: list[int] = []
        self._last = float("-inf")
        self._timer: threading.Timer | None = None
        self._pid = os.getpid()
        atexit.register(self.flush)

    def add(self, event_id: int) -> None:
        """Send the id now if no window is open, else keep it for the window's end."""
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's timer is not ours
                self._ids, self._timer, self._pid = [], None, os.getpid()
            self._ids.append(event_id)
            now = time.monotonic()
            if self._timer is None and now - self._last >= self._seconds:
                ids, self._ids, self._last = self._ids, [], now
            else:
                ids = []
                if self._timer is None:
                    self._timer = threading.Timer(self._last + self._seconds - now, self._close)
                    self._timer.daemon = True
                    self._timer.start()
        if ids:
            self._send(ids)

    def flush(self) -> None:
        """Send what is gathered now (at exit, and for tests)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            ids, self._ids, self._timer = self._ids, [], None
        if ids and self._pid == os.getpid():
            self._send(ids)

    def _close(self) -> None:
        """The timer: the window ends, its ids go in one call."""
        with self._lock:
            ids, self._ids, self._timer, self._last = self._ids, [], None, time.monotonic()
        if ids:
            self._send(ids)

    def _send(self, ids: list[int]) -> None:
        rt = self._rt
        try:
            batch_list.append(rt.queue("webhooks"), ids, rt.config.webhook_batch_size)
        except (RedisError, OSError):
            log.warning(
                "%d events not enqueued: Redis unavailable; the sweeper will retry", len(ids)
            )
            webhook_events.enqueue_failed(rt.sessions, ids)
