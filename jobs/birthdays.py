"""The birthday reward's jobs, thin over :mod:`loyalty.club.birthdays`.

- :func:`pay_birthdays` (``jobs.schedule``, hourly on the ``webhooks`` queue): every shop's day
  starts at another hour of UTC, so the job runs every hour and pays each shop's members whose
  birthday window is open on the shop's own date; each reward is given once per customer and
  year however often it runs, also when two runs overlap. It queues the balance syncs of the
  members it paid points, and the code job of every reward whose code Shopify does not have
  yet (also those whose job Redis lost: the row is the outbox).
- :func:`issue_birthday_code` (``shopify`` queue, one job per reward, ``birthday-code-{id}``):
  the code in Shopify (:mod:`loyalty.club.birthday_codes`), retried by RQ while Shopify is down.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from jobs.engine import enqueue_balance_sync, enqueue_code_job, issue_code

if TYPE_CHECKING:
    from runtime import Runtime

log = logging.getLogger(__name__)


def pay_birthdays(at: str | None = None) -> dict[str, int]:
    """Give due members their birthday reward; ``at`` (ISO 8601) runs as of that moment."""
    from loyalty.club.birthdays import pay_birthdays as pay
    from loyalty.core.payloads import parse_time
    from runtime import current_runtime

    rt = current_runtime()
    run = pay(rt.sessions, now=parse_time(at))
    for member_id in run.members_paid:
        enqueue_balance_sync(rt, member_id)
    for reward_id in run.codes_due:
        enqueue_birthday_code(rt, reward_id)
    log.info("birthdays: %s paid points, %s codes due", len(run.members_paid), len(run.codes_due))
    return {"points": len(run.members_paid), "codes": len(run.codes_due)}


def enqueue_birthday_code(rt: Runtime, reward_id: int) -> None:
    """Queue the reward's code job unless one is waiting or running."""
    enqueue_code_job(
        rt, "jobs.birthdays.issue_birthday_code", reward_id, f"birthday-code-{reward_id}"
    )


def issue_birthday_code(reward_id: int) -> str:
    """Create a birthday reward's code in Shopify once; ``created``/``exists``/``skipped``."""
    from loyalty.club.birthday_codes import issue_birthday_code as issue
    from runtime import current_runtime, shop_access_token, shopify_client

    return issue_code(
        f"birthday code {reward_id}",
        lambda: issue(current_runtime().sessions, shopify_client(), shop_access_token, reward_id),
    )
