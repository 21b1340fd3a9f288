"""A small shop's history, and its analytics computed in plain Python from the same inputs.

The orders are placed on the last four days in the shop's time zone (Europe/Oslo); every point
movement happens now (today). ``expected`` never looks at the database: it recomputes each
figure from :data:`ORDERS` and the point movements by DESIGN.md's rules, so the API's rollups
are checked against an independent account.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.bodies import Line, order_body, refund_body

OSLO = ZoneInfo("Europe/Oslo")
ANNA, BJORN, CARL, DINA = 9101, 9102, 9103, 9104
MEMBERS = (ANNA, BJORN, DINA)  # they join in the widget; Carl never does (auto-enrol is off)
SIGNUP_BONUS = 100


@dataclass
class Order:
    """One order as the test sends it: who, which day (days before today), lines, fate."""

    order_id: int
    customer: int | None
    days_ago: int
    lines: list[Line]
    status: str = "paid"
    cancelled: bool = False
    test: bool = False
    refunds: list[tuple[int, Line]] = field(default_factory=list)  # (refund id, line refunded)

    def counted(self) -> bool:
        return self.status == "paid" and not self.cancelled and not self.test

    def net(self) -> Decimal:
        gross = sum((line.net() for line in self.lines), Decimal(0))
        return gross - sum((line.net() for _, line in self.refunds), Decimal(0))

    def day(self, today: date) -> date:
        return today - timedelta(days=self.days_ago)

    def body(self, today: date, *, cancelled: bool = False) -> dict[str, Any]:
        placed = datetime.combine(self.day(today), time(12), OSLO).isoformat()
        body = order_body(
            self.order_id,
            self.lines,
            customer_id=self.customer,
            financial_status=self.status,
            test=self.test,
            cancelled=cancelled,
            updated_at=datetime.combine(today, time(1 if cancelled else 0), OSLO).isoformat(),
        )
        body.update(created_at=placed, processed_at=placed)
        return body

    def refund_bodies(self) -> list[dict[str, Any]]:
        return [
            refund_body(rid, self.order_id, [(line, line.quantity)]) for rid, line in self.refunds
        ]


SHOES, SOCKS = Line(1, "200.00"), Line(2, "100.00")
ORDERS = [
    Order(5001, ANNA, 3, [Line(11, "200.00")]),
    Order(5002, ANNA, 2, [Line(12, "100.00")]),
    # Yesterday's order, refunded in part today: the late refund moves yesterday's revenue.
    Order(5003, BJORN, 1, [SHOES, SOCKS], refunds=[(7001, SOCKS)]),
    Order(5004, CARL, 3, [Line(14, "150.00")]),
    Order(5005, CARL, 1, [Line(15, "50.50", quantity=2)]),
    Order(5006, None, 1, [Line(16, "80.00")]),
    Order(5007, None, 0, [Line(17, "40.00")]),
    Order(5008, BJORN, 0, [Line(18, "120.00")], cancelled=True),
    Order(5009, ANNA, 0, [Line(19, "60.00")], test=True),
    Order(5010, CARL, 0, [Line(20, "70.00")], status="pending"),
    Order(5011, ANNA, 0, [Line(21, "90.00")]),
]

# Rewards: 20 kr for 200 points (0.10 per point, the best) and 5 kr for 100 (0.05).
REWARDS = [
    {"kind": "fixed_amount", "title": "20 kr off", "points_cost": 200, "value": "20"},
    {"kind": "fixed_amount", "title": "5 kr off", "points_cost": 100, "value": "5"},
    {"kind": "percentage", "title": "10 % off", "points_cost": 50, "value": "0.1"},
]
REDEEMED_KEPT = (ANNA, 200)  # Anna redeems the 20 kr reward
REDEEMED_RETURNED = (BJORN, 100)  # Bjørn's 5 kr reservation is given back
POINT_VALUE = Decimal("0.1")


def member_points(customer: int) -> int:
    """What the engine owes a member by DESIGN.md's rules: bonus + floor(net) per counted order."""
    earned = sum(math.floor(o.net()) for o in ORDERS if o.customer == customer and o.counted())
    return SIGNUP_BONUS + earned


def _money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _ratio(part: int | Decimal, whole: int | Decimal) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _segment(orders: list[Order], history: list[Order]) -> dict[str, Any]:
    """A segment's figures from its ``orders`` in the period and its ``history`` up to the end.

    A repeat customer ordered in the period and has two or more orders up to its end (earlier
    ones included), in this segment.
    """
    revenue = sum((o.net() for o in orders), Decimal(0))
    by_customer: dict[int, int] = {}
    for o in orders:
        if o.customer is not None:
            by_customer[o.customer] = by_customer.get(o.customer, 0) + 1
    up_to_end = {c: sum(1 for o in history if o.customer == c) for c in by_customer}
    repeat = sum(1 for n in up_to_end.values() if n >= 2)
    known = sum(by_customer.values())
    return {
        "revenue": _money(revenue),
        "orders": len(orders),
        "average_order_value": _money(revenue / len(orders)) if orders else None,
        "customers": len(by_customer),
        "orders_with_customer": known,
        "orders_per_customer": _ratio(known, len(by_customer)),
        "repeat_customers": repeat,
        "repeat_purchase_rate": _ratio(repeat, len(by_customer)),
    }


def expected(today: date, start: date, end: date, expired: int) -> dict[str, Any]:
    """The report for ``start``..``end``, from the inputs alone; ``expired``: Dina's points."""
    history = [o for o in ORDERS if o.counted() and o.day(today) <= end]
    counted = [o for o in history if start <= o.day(today)]
    members = [o for o in counted if o.customer in MEMBERS]
    others = [o for o in counted if o.customer not in MEMBERS]
    member_history = [o for o in history if o.customer in MEMBERS]
    other_history = [o for o in history if o.customer not in MEMBERS]
    points_today = start <= today <= end
    issued = sum(member_points(c) for c in MEMBERS) if points_today else 0
    redeemed = REDEEMED_KEPT[1] if points_today else 0
    expired_now = expired if points_today else 0
    outstanding = issued - redeemed - expired_now if end >= today else 0
    days = []
    running = 0
    day = start
    while day <= end:
        on_day = [o for o in counted if o.day(today) == day]
        mem = [o for o in on_day if o.customer in MEMBERS]
        oth = [o for o in on_day if o.customer not in MEMBERS]
        is_today = day == today
        row = {
            "day": day.isoformat(),
            "member_orders": len(mem),
            "member_revenue": _money(sum((o.net() for o in mem), Decimal(0))),
            "guest_orders": len(oth),
            "guest_revenue": _money(sum((o.net() for o in oth), Decimal(0))),
            "new_members": len(MEMBERS) if is_today else 0,
            "points_issued": issued if is_today else 0,
            "points_redeemed": redeemed if is_today else 0,
            "points_expired": expired_now if is_today else 0,
        }
        running += row["points_issued"] - row["points_redeemed"] - row["points_expired"]
        days.append({**row, "outstanding_points": running})
        day += timedelta(days=1)
    member_revenue = sum((o.net() for o in members), Decimal(0))
    revenue = sum((o.net() for o in counted), Decimal(0))
    return {
        "period": {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "days": (end - start).days + 1,
            "time_zone": "Europe/Oslo",
        },
        "currency": "NOK",
        "members": _segment(members, member_history),
        "non_members": _segment(others, other_history),
        "all": _segment(counted, history),
        "members_revenue_share": _ratio(member_revenue, revenue),
        "new_members": len(MEMBERS) if points_today else 0,
        "points": {
            "issued": issued,
            "redeemed": redeemed,
            "expired": expired_now,
            "redemption_rate": _ratio(redeemed, issued) if issued > 0 else None,
            "outstanding": outstanding,
            "point_value": str(POINT_VALUE),
            "outstanding_value": _money(outstanding * POINT_VALUE),
        },
        "days": days,
    }
