"""The message sinks (a fake Twilio and an SMTP server, as ``make dev`` runs them) on loopback,
with the app's ``TWILIO_API_BASE`` pointed at the fake.

Not a plugin: a folder that sends messages imports these fixtures in its ``conftest.py``
(``config`` overrides the suite's for that folder only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.message_sinks import MessageSinks
from loyalty.core.config import Config
from tests.support.config import free_port


@pytest.fixture
def sink_port() -> int:
    """The fake Twilio's port, chosen before the app's configuration is built."""
    return free_port()


@pytest.fixture
def config(config: Config, sink_port: int) -> Config:
    """The tests' configuration, the fake Twilio as ``TWILIO_API_BASE``."""
    return config.with_overrides(twilio_api_base=f"http://127.0.0.1:{sink_port}")


@pytest.fixture
def sinks(sink_port: int) -> Iterator[MessageSinks]:
    """The fake Twilio (reports sent only when a test asks) and the SMTP sink, started."""
    started = MessageSinks(port=sink_port, smtp_port=free_port(), auto_report=False).start()
    yield started
    started.stop()
