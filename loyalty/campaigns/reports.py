"""What the providers report about a message after it went: Twilio's status callbacks and
Sveve's delivery reports, read into the send log (:mod:`loyalty.campaigns.send_log`).

The callbacks' authenticity is checked before this (``hooks/``: the URL's secret, and
Twilio's ``X-Twilio-Signature``); this reads their fields:

- Twilio posts ``MessageSid``, ``MessageStatus`` (``queued``, ``sent``, ``delivered``,
  ``undelivered``, ``failed``…; no callback for the first status) and ``ErrorCode``, to the URL
  given with the message, which names our row. ``ErrorCode`` 21610 (the recipient opted out)
  withdraws the member's SMS consent.
- Sveve sends ``number``, ``status`` (``true``: delivered, ``false``: not), ``id`` (its message
  id), ``ref`` (ours: the row's id), ``errorCode`` and ``errorDesc`` (INTEGRATIONS.md §4c).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns import send_log
from loyalty.campaigns.opt_out import withdraw_sms_consent
from loyalty.campaigns.providers.sveve import NAME as SVEVE
from loyalty.campaigns.providers.twilio import NAME as TWILIO
from loyalty.campaigns.providers.twilio import OPTED_OUT, STATUSES
from loyalty.core.errors import ValidationError
from loyalty.core.ids import id_from_text
from loyalty.core.models import MessageStatus

CODE_MAX = 40


@dataclass(frozen=True)
class ReportOutcome:
    """A report's effect: whether it named a known message, and a consent to push."""

    known: bool
    consent_event_id: int | None = None


def twilio_status(
    sessions: sessionmaker[Session], shop_id: int, message_id: int, form: Mapping[str, str]
) -> ReportOutcome:
    """Record a Twilio status callback about our message ``message_id``."""
    status = STATUSES.get(form.get("MessageStatus", "").strip().lower())
    sid = form.get("MessageSid", "").strip() or None
    if status is None:
        return ReportOutcome(known=False)  # a status Klubb does not track (``receiving``…)
    code = form.get("ErrorCode", "").strip()[:CODE_MAX] or None
    report = send_log.Report(MessageStatus(status), code, sid)
    return _record(sessions, shop_id, TWILIO, report, message_id, opted_out=code == OPTED_OUT)


def sveve_delivery(
    sessions: sessionmaker[Session], shop_id: int, params: Mapping[str, str]
) -> ReportOutcome:
    """Record a Sveve delivery report (found by its ``ref``, else by Sveve's ``id``)."""
    delivered = params.get("status", "").strip().lower()
    if delivered not in ("true", "false"):
        raise ValidationError({"status": "Not true or false."})
    code = params.get("errorCode", "").strip()[:CODE_MAX] or None
    status = MessageStatus.DELIVERED if delivered == "true" else MessageStatus.UNDELIVERED
    sveve_id = params.get("id", "").strip() or None
    report = send_log.Report(
        status, code if status is MessageStatus.UNDELIVERED else None, sveve_id
    )
    ref = id_from_text(params.get("ref", "").strip())
    if ref is None and sveve_id is None:
        raise ValidationError({"ref": "Neither ref nor id names a message."})
    return _record(sessions, shop_id, SVEVE, report, ref, opted_out=False)


def _record(
    sessions: sessionmaker[Session],
    shop_id: int,
    provider: str,
    report: send_log.Report,
    message_id: int | None,
    *,
    opted_out: bool,
) -> ReportOutcome:
    reported = send_log.apply_report(sessions, shop_id, provider, report, message_id=message_id)
    if reported is None:
        return ReportOutcome(known=False)
    consent_event_id = None
    if opted_out and reported.member_id is not None:
        with sessions.begin() as s:
            consent_event_id = withdraw_sms_consent(s, shop_id, reported.member_id)
    return ReportOutcome(known=True, consent_event_id=consent_event_id)
