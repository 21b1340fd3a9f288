"""The log of messages sent: one row per message, its delivery as the provider reports it.

A row is written *before* the message goes (``sending``), so a provider's report can never
arrive for a message Klubb does not know: Twilio's callback URL carries the row's id, Sveve's
report its ``ref``. Then the provider's answer fills in its message id and status
(:func:`record_outcome`). Reports (:func:`apply_report`) arrive in any order and more than once:
a status never goes back to one of a lower rank (:data:`~loyalty.core.models.STATUS_RANK`),
so the last state is the same whatever the order.

``recipient`` is personal data: :func:`erase_recipients` blanks it when the member's data is
erased (``customers/redact``, ``customers/delete``, leaving the club, inactivity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.campaigns.providers import ProviderError, Sent
from loyalty.core.models import STATUS_RANK, MessageStatus, SentMessage
from loyalty.core.types import utcnow


@dataclass(frozen=True)
class Report:
    """One status report from a provider about one message."""

    status: MessageStatus
    error_code: str | None = None
    provider_message_id: str | None = None


@dataclass(frozen=True)
class Reported:
    """What a report changed: the message's member (for an opt-out) and its status now."""

    member_id: int | None
    status: str
    changed: bool


def record_attempt(
    sessions: sessionmaker[Session],
    shop_id: int,
    member_id: int | None,
    channel: str,
    provider: str,
    recipient: str,
    campaign_id: int | None = None,
) -> int:
    """A row for a message about to go (``sending``); its id, the message's reference."""
    with sessions.begin() as s:
        row = SentMessage(
            shop_id=shop_id,
            member_id=member_id,
            campaign_id=campaign_id,
            channel=channel,
            provider=provider,
            recipient=recipient,
            status=MessageStatus.SENDING,
        )
        s.add(row)
        s.flush()
        return row.id


def record_outcome(
    sessions: sessionmaker[Session],
    message_id: int,
    outcome: Sent | ProviderError,
) -> None:
    """What the provider answered: its id and status, or the refusal's code."""
    if isinstance(outcome, Sent):
        report = Report(MessageStatus(outcome.status), None, outcome.provider_message_id)
    else:
        report = Report(MessageStatus.FAILED, error_code(outcome))
    with sessions.begin() as s:
        row = s.get(SentMessage, message_id, with_for_update=True)
        if row is not None:
            _apply(row, report, utcnow())


def error_code(error: ProviderError) -> str:
    """The code a refusal is logged with: the provider's own when it gave one."""
    return (error.provider_code or error.code)[:40]


def apply_report(
    sessions: sessionmaker[Session],
    shop_id: int,
    provider: str,
    report: Report,
    *,
    message_id: int | None = None,
    now: datetime | None = None,
) -> Reported | None:
    """Record a provider's report on one of the shop's messages, found by our id (the row
    the report's URL or ``ref`` names) or else by the provider's message id; None if unknown.
    """
    with sessions.begin() as s:
        query = select(SentMessage).where(
            SentMessage.shop_id == shop_id, SentMessage.provider == provider
        )
        if message_id is not None:
            query = query.where(SentMessage.id == message_id)
        elif report.provider_message_id:
            query = query.where(SentMessage.provider_message_id == report.provider_message_id)
        else:
            return None
        row = s.scalars(query.with_for_update()).one_or_none()
        if row is None:
            return None
        if (
            report.provider_message_id
            and row.provider_message_id
            and row.provider_message_id != report.provider_message_id
        ):
            return None  # a report about another message than the one its URL names
        changed = _apply(row, report, now or utcnow())
        return Reported(row.member_id, row.status, changed)


def _apply(row: SentMessage, report: Report, now: datetime) -> bool:
    """Move ``row`` forward to ``report``'s status (never back); whether anything changed."""
    changed = False
    if report.provider_message_id and row.provider_message_id is None:
        row.provider_message_id = report.provider_message_id[:64]
        changed = True
    if STATUS_RANK[report.status] > STATUS_RANK[MessageStatus(row.status)]:
        row.status = report.status
        row.error_code = report.error_code[:40] if report.error_code else None
        changed = True
    if changed:
        row.updated_at = now
    return changed


def message_status(
    sessions: sessionmaker[Session], shop_id: int, message_id: int
) -> SentMessage | None:
    """One of the shop's messages as logged (detached), or None."""
    with sessions() as s:
        row = s.scalars(
            select(SentMessage).where(SentMessage.shop_id == shop_id, SentMessage.id == message_id)
        ).one_or_none()
        if row is not None:
            s.expunge(row)
        return row


def erase_recipients(s: Session, member_id: int) -> None:
    """Blank the phone numbers and addresses of the member's messages (their counts stay)."""
    s.execute(
        update(SentMessage)
        .where(SentMessage.member_id == member_id, SentMessage.recipient.is_not(None))
        .values(recipient=None)
    )
