"""The setup guide's facts a server can know: a first reward made, the program reviewed, and
whether the merchant put the guide away.

The two theme steps (the launcher embed on, the loyalty-page block added) are read in the
admin from App Bridge's ``shopify.app.extensions()``, which only the browser can call; the
guide shows all four together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from loyalty.core.models import Reward, Shop
from loyalty.core.types import utcnow


def guide_state(sessions: sessionmaker[Session], shop_id: int) -> dict[str, Any]:
    """``GET /api/setup-guide``: ``dismissed``, ``reward_created``, ``program_reviewed``.

    The program counts as reviewed once the settings were saved through the admin, changed or
    not (``Shop.program_reviewed_at``, set by :func:`loyalty.points.settings.update_settings`).
    """
    with sessions() as s:
        dismissed_at, reviewed_at = s.execute(
            select(Shop.setup_guide_dismissed_at, Shop.program_reviewed_at).where(
                Shop.id == shop_id
            )
        ).one()
        reward = s.scalar(select(exists().where(Reward.shop_id == shop_id)))
    return {
        "dismissed": dismissed_at is not None,
        "reward_created": bool(reward),
        "program_reviewed": reviewed_at is not None,
    }


def set_dismissed(sessions: sessionmaker[Session], shop_id: int, dismissed: bool) -> None:
    """Put the guide away, or bring it back."""
    with sessions.begin() as s:
        s.execute(
            update(Shop)
            .where(Shop.id == shop_id)
            .values(setup_guide_dismissed_at=utcnow() if dismissed else None)
        )
