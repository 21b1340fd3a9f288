"""Audit actions show as labels in the admin's language, and every action written has one.

The codes are found by reading the source (``ast``), not listed by hand: every call of
:func:`loyalty.privacy.audit.record` or :func:`loyalty.privacy.audit.record_changes`, with its ``action``
argument. A literal is taken as it is; a parameter of the enclosing function (as in
``self_service._set_status(..., action)``) is followed to that function's callers in the
same module. Anything else (an f-string, a constant from elsewhere) cannot be read, and the
test says where, rather than passing over a code it did not see.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from admin.audit_labels import ACTION_LABELS, action_label, detail_label
from loyalty.core.models import AuditLog, Shop
from loyalty.members.staff import adjust_points
from loyalty.privacy.audit import READ_WINDOW
from tests.support.fjellsko import SHOP, add_members
from tests.support.http import bearer
from tests.support.shops import SHOP_A

KARI = 7001  # add_members' first member

ROOT = Path(__file__).resolve().parents[2]
NOT_APP_CODE = {"tests", "bench", "migrations", "node_modules"}
WRITERS = {"record": 4, "record_changes": 3}
"""loyalty.privacy.audit's functions that write an entry, and the position of their ``action``."""
AUDIT_MODULE = ROOT / "loyalty" / "privacy" / "audit.py"


def app_sources() -> Iterator[Path]:
    """Every Python file of the app (not its tests, benchmarks, migrations or the venv)."""
    for entry in sorted(ROOT.iterdir()):
        if entry.name.startswith(".") or entry.name in NOT_APP_CODE:
            continue
        if entry.is_dir():
            yield from sorted(entry.rglob("*.py"))
        elif entry.suffix == ".py":
            yield entry


class _Module:
    """One parsed file: its functions, each node's parent, and how it names loyalty.privacy.audit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(), str(path))
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        self.module_names = {"loyalty.privacy.audit"}  # names under which the audit module is used
        self.function_names: dict[str, str] = {}  # local name → writer
        if path == AUDIT_MODULE:
            self.function_names = {name: name for name in WRITERS}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.module == "loyalty.privacy":
                self.module_names |= {a.asname or a.name for a in node.names if a.name == "audit"}
            elif isinstance(node, ast.ImportFrom) and node.module == "loyalty.privacy.audit":
                self.function_names |= {
                    a.asname or a.name: a.name for a in node.names if a.name in WRITERS
                }
            elif isinstance(node, ast.Import):
                self.module_names |= {
                    a.asname for a in node.names if a.name == "loyalty.privacy.audit" and a.asname
                }

    def where(self, node: ast.AST) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{getattr(node, 'lineno', '?')}"

    def writer(self, call: ast.Call) -> str | None:
        """The writer ``call`` calls, if it is one."""
        func = call.func
        if isinstance(func, ast.Attribute) and ast.unparse(func.value) in self.module_names:
            return func.attr if func.attr in WRITERS else None
        if isinstance(func, ast.Name):
            return self.function_names.get(func.id)
        return None

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node  # type: ignore[return-value]
        return None


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    positional = call.args
    if any(isinstance(a, ast.Starred) for a in positional[: position + 1]):
        return None
    return positional[position] if len(positional) > position else None


def _values(
    module: _Module, expr: ast.expr | None, seen: frozenset[str]
) -> Iterator[str | ast.AST]:
    """The strings ``expr`` can be, or the node that could not be read."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        yield expr.value
        return
    function = module.enclosing_function(expr) if isinstance(expr, ast.Name) else None
    if function is None or not isinstance(expr, ast.Name) or function.name in seen:
        yield expr if expr is not None else module.tree
        return
    params = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    kwonly = [a.arg for a in function.args.kwonlyargs]
    if expr.id not in params and expr.id not in kwonly:
        yield expr  # a local variable: computed, not passed in
        return
    callers = [
        node
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == function.name
    ]
    if not callers:
        yield expr
        return
    position = params.index(expr.id) if expr.id in params else len(params) + 99
    for call in callers:
        yield from _values(module, _argument(call, position, expr.id), seen | {function.name})


def written_actions(
    paths: Iterable[Path] | None = None,
) -> tuple[dict[str, list[str]], list[str]]:
    """Every action code the app writes, with where; and the places that could not be read."""
    found: dict[str, list[str]] = {}
    unreadable: list[str] = []
    for path in app_sources() if paths is None else paths:
        module = _Module(path)
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call) or (name := module.writer(node)) is None:
                continue
            if path == AUDIT_MODULE and getattr(module.enclosing_function(node), "name", "") in (
                WRITERS
            ):
                continue  # record_changes passing its caller's action on to record
            for value in _values(module, _argument(node, WRITERS[name], "action"), frozenset()):
                if isinstance(value, str):
                    found.setdefault(value, []).append(module.where(node))
                else:
                    unreadable.append(module.where(value if hasattr(value, "lineno") else node))
    return found, unreadable


def test_the_scan_finds_the_actions_written_directly_and_through_a_helper() -> None:
    """Guards the next test against a scan that silently finds nothing."""
    found, _unreadable = written_actions()
    assert "member.adjusted" in found  # audit.record(s, ..., "member.adjusted", ...)
    assert "settings.update" in found  # audit.record_changes(...)
    assert "backfill.start" in found  # action=... as a keyword
    assert "member.restricted" in found  # through self_service._set_status(..., action)
    assert len(found) >= 15


def test_the_scan_reports_an_action_it_cannot_read(tmp_path: Path) -> None:
    """A computed code is reported, not skipped; literals are followed through helpers."""
    source = tmp_path / "writer.py"
    source.write_text(
        "from loyalty.privacy import audit as log\n"
        "from loyalty.privacy.audit import record_changes\n"
        "def _status(s, action):\n"
        "    log.record(s, 1, 'member', 7, action)\n"
        "def lock(s):\n"
        "    _status(s, 'member.locked')\n"
        "def anything(s, what):\n"
        "    log.record(s, 1, 'staff', None, f'member.{what}')\n"
        "def settings(s):\n"
        "    record_changes(s, 1, None, action='shop.changed', before={}, after={}, fields=())\n"
    )
    found, unreadable = written_actions([source])
    assert set(found) == {"member.locked", "shop.changed"}
    assert unreadable == [f"{source}:8"]


def test_every_action_the_app_writes_has_a_label_and_every_label_an_action() -> None:
    found, unreadable = written_actions()
    assert not unreadable, (
        "cannot tell which audit action is written at:\n"
        + "\n".join(unreadable)
        + "\npass a string literal (or teach this scan the new way)"
    )
    unlabelled = {code: where for code, where in found.items() if code not in ACTION_LABELS}
    assert not unlabelled, f"add a label to admin/audit_labels.py for {unlabelled}"
    stale = set(ACTION_LABELS) - set(found)
    assert not stale, f"labels for actions nothing writes any more: {sorted(stale)}"


def test_an_unknown_action_is_shown_as_its_code(app) -> None:
    with app.test_request_context("/?locale=nb"):
        assert action_label("audit.read") == "Aktivitetslogg vist"  # older rows keep theirs
        assert action_label("member.something_new") == "member.something_new"
        assert action_label("member.adjusted") == "Poengene er justert"


@pytest.mark.parametrize(
    ("query", "adjusted", "viewed"),
    [
        ("", "Points adjusted", "Member data viewed"),
        ("?locale=nb", "Poengene er justert", "Medlemsopplysninger vist"),
    ],
)
def test_the_members_activity_log_labels_each_action_in_the_language_asked_for(
    client, rt, shop_a, add_member, query, adjusted, viewed
):
    member_id = add_member(shop_a, 77)
    with rt.sessions.begin() as s:
        s.add(AuditLog(shop_id=shop_a, member_id=member_id, actor_type="staff", action="x.y"))
    answer = client.post(
        "/api/members/77/adjustments",
        json={"points": 50, "reason": "Late parcel"},
        headers={**bearer(SHOP_A), "Idempotency-Key": "k-1"},
    )
    assert answer.status_code == 201
    body = client.get(f"/api/members/77/audit{query}", headers=bearer(SHOP_A)).get_json()
    labels = {e["action"]: e["action_label"] for e in body["entries"]}
    assert labels == {"member.read": viewed, "member.adjusted": adjusted, "x.y": "x.y"}


@pytest.mark.parametrize(
    ("action", "detail", "en", "nb"),
    [
        ("member.adjusted", "points=+50", "+50 points", "+50 poeng"),
        ("member.adjusted", "points=-1", "-1 point", "-1 poeng"),
        ("member.imported", "points=+1250", "+1,250 points", "+1\xa0250 poeng"),
        ("member.imported", "enrolled", "new member", "nytt medlem"),
        ("member.read", "profile", "profile", "profil"),
        ("member.read", "ledger", "balance and points history", "saldo og poenghistorikk"),
        ("member.read", None, None, None),
        (
            "member.read",
            "ledger,profile,audit",
            "balance and points history, profile, activity log",
            "saldo og poenghistorikk, profil, aktivitetslogg",
        ),
        (
            "member.consent_changed",
            "email=granted,sms=withdrawn",
            "email subscribed, SMS unsubscribed",
            "e-post meldte seg på, SMS meldte seg av",
        ),
        ("member.profile_updated", "birthday,language", "birthday, language", "fødselsdag, språk"),
        ("member.exported", "csv", "CSV", "CSV"),
        ("privacy.export_downloaded", "request=12", None, None),  # an id says nothing to staff
    ],
)
def test_an_entrys_detail_is_said_in_words_or_left_out(app, action, detail, en, nb) -> None:
    with app.test_request_context("/?locale=en"):
        assert detail_label(action, detail) == en
    with app.test_request_context("/?locale=nb"):
        assert detail_label(action, detail) == nb


def test_the_activity_log_answers_each_detail_in_words_beside_its_code(
    client, rt, shop_a, add_member
):
    add_member(shop_a, 77)
    client.post(
        "/api/members/77/adjustments",
        json={"points": 50, "reason": "Late parcel"},
        headers={**bearer(SHOP_A), "Idempotency-Key": "k-1"},
    )
    body = client.get("/api/members/77/audit?locale=nb", headers=bearer(SHOP_A)).get_json()
    details = {e["action"]: (e["detail"], e["detail_label"]) for e in body["entries"]}
    assert details == {
        "member.adjusted": ("points=+50", "+50 poeng"),
        "member.read": ("audit", "aktivitetslogg"),
    }


@pytest.mark.browser
def test_the_member_page_shows_the_labels_in_the_admins_language(
    page, screenshot, live_app, fake_shopify, rt
):
    fake_shopify.add_shop(SHOP, name="Fjellsko", currency="NOK", locale="nb")
    page.goto(fake_shopify.admin_app_url(SHOP))
    app = page.frame_locator("#app-iframe")
    expect(app.get_by_role("heading", name="Klubb", exact=True)).to_be_visible()
    add_members(rt)
    with rt.sessions() as s:
        shop_id = s.query(Shop.id).filter_by(domain=SHOP).scalar()
    adjust_points(
        rt.sessions, shop_id, KARI, {"points": 50, "reason": "Pakken kom sent"}, staff_user_id="9"
    )
    page.goto(fake_shopify.admin_app_url(SHOP, f"/members/{KARI}"))
    log = app.locator("#audit-table tbody")
    expect(log).to_contain_text("Poengene er justert (+50 poeng)")
    expect(log).to_contain_text(
        "Medlemsopplysninger vist (saldo og poenghistorikk, profil, aktivitetslogg)"
    )
    expect(log).not_to_contain_text("points=")
    expect(log).not_to_contain_text("(profile)")
    expect(log.get_by_text("Poengene er justert")).to_have_attribute("title", "member.adjusted")
    screenshot("admin-member-activity-nb")
    assert page.js_errors == []


def test_the_openapi_document_describes_the_label(client) -> None:
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    entry = schemas["AuditEntry"]
    assert "action_label" in entry["required"]
    assert entry["properties"]["action_label"]["type"] == "string"
    assert "detail_label" in entry["required"]
    assert entry["properties"]["detail_label"]["type"] == ["string", "null"]


def test_one_look_at_a_member_is_one_read_row_and_a_later_look_another(
    client, rt, shop_a, add_member
):
    member_id = add_member(shop_a, 77)
    for path in ("/api/members/77", "/api/members/77/profile", "/api/members/77/audit"):
        assert client.get(path, headers=bearer(SHOP_A, sub="5")).status_code == 200
    client.get("/api/members/77", headers=bearer(SHOP_A, sub="6"))  # another staff user
    with rt.sessions.begin() as s:
        reads = s.scalars(
            select(AuditLog).where(AuditLog.member_id == member_id).order_by(AuditLog.id)
        ).all()
        assert [(r.actor_id, r.detail) for r in reads] == [
            ("5", "ledger,profile,audit"),
            ("6", "ledger"),
        ]
        for read in reads:  # both looks were long ago
            read.created_at -= READ_WINDOW * 2
    client.get("/api/members/77/profile", headers=bearer(SHOP_A, sub="5"))
    with rt.sessions() as s:
        details = s.scalars(
            select(AuditLog.detail).where(AuditLog.member_id == member_id).order_by(AuditLog.id)
        ).all()
    assert details == ["ledger,profile,audit", "ledger", "profile"]
