"""The club beyond points for orders (DESIGN.md, Layout): VIP tiers, birthdays and ways to earn
(stamp cards, spend vouchers and referrals to come).

Tiers, by concept: :mod:`~loyalty.club.tier_rules` (what a tier and a ladder may be),
:mod:`~loyalty.club.tier_catalogue` (the merchant's ladder: list, create, change, reorder,
delete), :mod:`~loyalty.club.tier_progress` (pure: a member's progress and tier from their
facts at a time), :mod:`~loyalty.club.tier_standing` (keeping members' tiers, orders'
multipliers and entry bonuses current), :mod:`~loyalty.club.tier_rewards` (the nightly run:
period roll-over and recurring rewards) and :mod:`~loyalty.club.tier_view` (the tier in the
member's JSON and the widget). Birthdays: :mod:`~loyalty.club.birthdays` and
:mod:`~loyalty.club.birthday_codes`; other ways to earn: :mod:`~loyalty.club.earning_actions`,
:mod:`~loyalty.club.social` and :mod:`~loyalty.club.newsletter`.
"""
