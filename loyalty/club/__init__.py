"""The club beyond points for orders (DESIGN.md, Layout): VIP tiers, birthdays and ways to earn
(stamp cards and referrals to come).

Tiers, by concept: :mod:`~loyalty.club.tier_rules` (what a tier and a ladder may be),
:mod:`~loyalty.club.tier_catalogue` (the merchant's ladder: list, create, change, reorder,
delete), :mod:`~loyalty.club.tier_progress` (pure: a member's progress and tier from their
facts at a time), :mod:`~loyalty.club.tier_standing` (keeping members' tiers, orders'
multipliers and entry bonuses current), :mod:`~loyalty.club.tier_rewards` (the nightly run:
period roll-over and recurring rewards) and :mod:`~loyalty.club.tier_view` (the tier in the
member's JSON and the widget). Birthdays: :mod:`~loyalty.club.birthdays` and
:mod:`~loyalty.club.birthday_codes`; other ways to earn: :mod:`~loyalty.club.earning_actions`,
:mod:`~loyalty.club.social` and :mod:`~loyalty.club.newsletter`.

Spend vouchers: :mod:`~loyalty.club.voucher_rules` (what a rule may be),
:mod:`~loyalty.club.voucher_catalogue` (the merchant's rules), :mod:`~loyalty.club.voucher_periods`
(pure: periods and spend), :mod:`~loyalty.club.voucher_standing` (which vouchers the facts call
for), :mod:`~loyalty.club.voucher_sync` with :mod:`~loyalty.club.voucher_moves` and
:mod:`~loyalty.club.voucher_gift_card_steps` (Shopify brought in line),
:mod:`~loyalty.club.voucher_view` (member JSON, widget, admin) and
:mod:`~loyalty.club.voucher_privacy` (export, erasure).
"""
