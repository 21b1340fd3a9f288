"""A member JSON's ``vouchers``: gift cards and store credit bought with points
(:mod:`loyalty.rewards.reward_vouchers`) and spend-threshold vouchers
(:mod:`loyalty.club.voucher_view`), in one list, with ``voucher_progress`` beside it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from loyalty.club.voucher_view import member_voucher_json
from loyalty.rewards.reward_vouchers import reward_vouchers


def vouchers_json(
    s: Session, shop_id: int, member_id: int | None, now: datetime, *, reveal: bool = False
) -> dict[str, Any]:
    """``vouchers`` (rewards' first, then spend vouchers) and ``voucher_progress``; ``reveal``
    shows a new spend gift card's full code this once (the member's own view)."""
    spend = member_voucher_json(s, shop_id, member_id, now, reveal=reveal)
    bought = reward_vouchers(s, shop_id, member_id) if member_id is not None else []
    return {**spend, "vouchers": [*bought, *spend["vouchers"]]}
