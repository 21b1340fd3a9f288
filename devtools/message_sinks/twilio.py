"""A loopback fake of Twilio's Messages API: it takes SMS as Twilio does, keeps them, and posts
status callbacks signed as Twilio signs them.

``POST /2010-04-01/Accounts/{Sid}/Messages.json`` checks HTTP Basic auth against the accounts
it knows (401, Twilio's error 20003, otherwise), the form's ``To`` (E.164: 21211),
``From`` or ``MessagingServiceSid`` (21603), ``Body`` (21602; over 1,600 characters 21617),
and answers 400 with error 21610 for a number that opted out (:meth:`FakeTwilio.opt_out`).
Taken messages get an ``SM…`` sid and status ``queued`` (201, the message resource). Status
callbacks go to the message's ``StatusCallback``: when asked (:meth:`FakeTwilio.report`), or
by themselves (``sent``, then ``delivered``) with ``auto_report``, as the dev sink runs.
:meth:`FakeTwilio.fail_next` makes the next request answer a canned status, or wait.

Its own signature code (not the app's), so a mistake in either shows in the tests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from werkzeug.wrappers import Request, Response

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
BODY_MAX = 1600
API_VERSION = "2010-04-01"
MESSAGES = re.compile(r"/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json")


@dataclass
class FakeSms:
    """One message the fake took, and the callbacks it posted about it."""

    sid: str
    account_sid: str
    to: str
    sender: str
    body: str
    status: str
    status_callback: str | None
    created_at: datetime
    callbacks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Canned:
    status: int | None
    body: dict[str, Any] | None
    delay: float


def signature(url: str, params: dict[str, str], auth_token: str) -> str:
    """Twilio's ``X-Twilio-Signature``: base64 HMAC-SHA1 of the URL and the sorted params."""
    text = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    mac = hmac.new(auth_token.encode(), text.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def _error(status: int, code: int, message: str) -> Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return _json(body, status)


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class FakeTwilio:
    """Accounts, opted-out numbers, the messages taken; all behind :attr:`lock`."""

    def __init__(self, *, auto_report: bool = False, report_delay: float = 0.5) -> None:
        self.lock = threading.RLock()
        self.accounts: dict[str, str] = {}
        self.opted_out: set[str] = set()
        self.messages: list[FakeSms] = []
        self.requests: list[dict[str, Any]] = []
        self.auto_report = auto_report
        self.report_delay = report_delay
        self._canned: deque[_Canned] = deque()

    def add_account(self, sid: str | None = None, token: str | None = None) -> tuple[str, str]:
        """An account the fake accepts; its (sid, auth token)."""
        sid = sid or "AC" + secrets.token_hex(16)
        token = token or secrets.token_hex(16)
        with self.lock:
            self.accounts[sid] = token
        return sid, token

    def opt_out(self, number: str) -> None:
        """``number`` replied STOP: sending to it answers error 21610."""
        with self.lock:
            self.opted_out.add(number)

    def fail_next(
        self, status: int | None = 500, body: dict[str, Any] | None = None, delay: float = 0.0
    ) -> None:
        """The next send answers ``status`` with ``body`` (``None``: only waits ``delay``)."""
        with self.lock:
            self._canned.append(_Canned(status, body, delay))

    def message(self, sid: str) -> FakeSms:
        """The message of that sid."""
        with self.lock:
            return next(m for m in self.messages if m.sid == sid)

    def report(
        self, sid: str, status: str, error_code: str | None = None, *, token: str | None = None
    ) -> requests.Response:
        """Post a status callback about message ``sid`` as Twilio does (``token``: sign with
        another auth token, as a forger would); the app's answer."""
        sms = self.message(sid)
        if not sms.status_callback:
            raise ValueError("that message has no StatusCallback")
        params = {
            "AccountSid": sms.account_sid,
            "ApiVersion": API_VERSION,
            "From": sms.sender,
            "To": sms.to,
            "MessageSid": sms.sid,
            "SmsSid": sms.sid,
            "MessageStatus": status,
            "SmsStatus": status,
        }
        if error_code:
            params["ErrorCode"] = error_code
        key = token if token is not None else self.accounts[sms.account_sid]
        answer = requests.post(
            sms.status_callback,
            data=params,
            headers={"X-Twilio-Signature": signature(sms.status_callback, params, key)},
            timeout=10,
        )
        with self.lock:
            sms.status = status
            sms.callbacks.append(
                {"status": status, "error_code": error_code, "answer": answer.status_code}
            )
        return answer

    # -- HTTP --------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response | None:
        """The answer to a request for the Messages API; None for any other path."""
        match = MESSAGES.fullmatch(request.path)
        if match is None:
            return None
        if request.method != "POST":
            return _error(405, 20004, "Method not allowed")
        with self.lock:
            canned = self._canned.popleft() if self._canned else None
        if canned is not None:
            time.sleep(canned.delay)
            if canned.status is not None:
                return _json(canned.body or {"code": 20500, "status": canned.status}, canned.status)
        account = match.group(1)
        auth = request.authorization
        with self.lock:
            token = self.accounts.get(account)
        if auth is None or auth.username != account or token is None or auth.password != token:
            return _error(401, 20003, "Authenticate")
        form = request.form
        with self.lock:
            self.requests.append({"account": account, "form": dict(form)})
        refusal = self._refusal(form)
        if refusal is not None:
            return refusal
        sms = FakeSms(
            sid="SM" + secrets.token_hex(16),
            account_sid=account,
            to=form["To"],
            sender=form.get("From") or form["MessagingServiceSid"],
            body=form["Body"],
            status="queued",
            status_callback=form.get("StatusCallback"),
            created_at=datetime.now(UTC),
        )
        with self.lock:
            self.messages.append(sms)
        if self.auto_report and sms.status_callback:
            threading.Thread(target=self._report_later, args=(sms.sid,), daemon=True).start()
        return _json(_resource(sms), 201)

    def _refusal(self, form: Any) -> Response | None:
        to = form.get("To", "")
        if not E164.fullmatch(to):
            return _error(400, 21211, "The 'To' number is not a valid phone number.")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return _error(400, 21603, "The 'From' phone number is required.")
        body = form.get("Body", "")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if len(body) > BODY_MAX:
            return _error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        with self.lock:
            if to in self.opted_out:
                return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        return None

    def _report_later(self, sid: str) -> None:
        """``sent``, then ``delivered``, as a carrier would report them (dev sink)."""
        for status in ("sent", "delivered"):
            time.sleep(self.report_delay)
            try:
                self.report(sid, status)
            except requests.RequestException:
                return


def _resource(sms: FakeSms) -> dict[str, Any]:
    """The message resource Twilio answers with (the fields Klubb reads, and some more)."""
    return {
        "sid": sms.sid,
        "account_sid": sms.account_sid,
        "to": sms.to,
        "from": sms.sender,
        "body": sms.body,
        "status": sms.status,
        "direction": "outbound-api",
        "api_version": API_VERSION,
        "date_created": sms.created_at.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "error_code": None,
        "error_message": None,
        "uri": f"/{API_VERSION}/Accounts/{sms.account_sid}/Messages/{sms.sid}.json",
    }
