"""What a topic handler receives besides the payload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime import Runtime


@dataclass(frozen=True)
class EventContext:
    """The event being processed: its row, shop and timing, and the process's runtime."""

    rt: Runtime
    event_row_id: int
    topic: str
    shop_domain: str
    shop_id: int | None
    triggered_at: datetime | None
    received_at: datetime
