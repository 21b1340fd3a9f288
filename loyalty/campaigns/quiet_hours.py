"""Quiet hours: when a shop sends no marketing SMS, and the next moment it may.

A shop's quiet hours are two wall-clock times in its own time zone (default 21:00 to 08:00,
``quiet_hours`` in the settings); a span whose start is later than its end crosses midnight.
:func:`next_allowed_send` is pure: the same moment, zone and span always give the same answer.

Daylight saving time: the clock is read in the shop's zone at the moment asked about, so
"21:00" is 21:00 local on both sides of a change. An end that falls in the hour skipped in
spring (02:30 on the last Sunday of March in Oslo) resolves as zoneinfo reads it (fold 0, the
offset before the change): 03:30 summer time, after the gap, never inside the quiet span. An
end in the hour repeated in autumn is its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """From ``start`` to ``end``, wall-clock times in the shop's zone (``start != end``)."""

    start: time
    end: time

    @classmethod
    def from_settings(cls, value: dict[str, str] | None) -> QuietHours | None:
        """From the settings' ``{"start": "HH:MM", "end": "HH:MM"}`` (None: no quiet hours)."""
        if value is None:
            return None
        return cls(time.fromisoformat(value["start"]), time.fromisoformat(value["end"]))

    def contains(self, clock: time) -> bool:
        """Whether the wall-clock time ``clock`` is inside the span (start in, end out)."""
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end


def next_allowed_send(moment: datetime, quiet: QuietHours | None, timezone: str) -> datetime:
    """``moment`` itself when it is outside the quiet hours, else the span's end (UTC).

    ``moment`` must be aware; ``timezone`` is the shop's IANA zone.
    """
    if quiet is None:
        return moment.astimezone(UTC)
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if not quiet.contains(clock):
        return moment.astimezone(UTC)
    day = local.date()
    if clock >= quiet.end:  # past today's end: the span crossed midnight, it ends tomorrow
        day += timedelta(days=1)
    end = datetime.combine(day, quiet.end, tzinfo=zone)
    return end.astimezone(UTC)
