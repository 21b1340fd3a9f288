"""The send log and a member's rights: their messages are in their export, and the numbers and
addresses they went to are erased with them (a deleted customer here; ``customers/redact``,
leaving and inactivity in the privacy and self-service folders, through the seeded messages)."""

from __future__ import annotations

import json

import pytest

from tests.messaging.api import sent_messages
from tests.support.jobs import drain
from tests.support.members import member_caller
from tests.support.people import INGEBORG, SOLVEIG, seed_customer
from tests.support.tables import cells_containing


def test_the_members_export_lists_the_messages_sent_to_them(proxy, ingeborg):
    export = json.loads(member_caller(proxy)("GET", "/export.json").get_data(as_text=True))
    assert sorted((m["channel"], m["recipient"], m["status"]) for m in export["messages"]) == [
        ("email", INGEBORG.email, "sent"),
        ("sms", INGEBORG.phone, "delivered"),
    ]
    assert set(export["messages"][0]) == {
        "channel",
        "provider",
        "recipient",
        "status",
        "error_code",
        "sent_at",
    }


@pytest.mark.embedded
def test_a_deleted_customers_messages_keep_their_counts_but_not_their_recipients(
    app, rt, shop_id, ingeborg, post_webhook
):
    seed_customer(rt.sessions, shop_id, SOLVEIG)
    post_webhook("customers/delete", {"id": INGEBORG.customer_id})
    drain(app)

    theirs = [m for m in sent_messages(rt, shop_id) if m.member_id == ingeborg.member_id]
    assert [(m.channel, m.status, m.recipient) for m in theirs] == [
        ("sms", "delivered", None),
        ("email", "sent", None),
    ]
    assert not [c for c in cells_containing(rt.sessions, (INGEBORG.phone,)) if "sent_messages" in c]
    assert "sent_messages.recipient" in cells_containing(rt.sessions, (SOLVEIG.phone,))
