"""The messaging tests run against the message sinks (tests/support/sinks.py)."""

from tests.support.sinks import config, sink_port, sinks

__all__ = ["config", "sink_port", "sinks"]
