"""The OpenAPI schemas of ``/api/messaging`` (admin/messaging_api.py), as strict as the checks
of :mod:`loyalty.campaigns.settings_rules` where JSON Schema can say them."""

from __future__ import annotations

from typing import Any

from loyalty.campaigns.phones import E164_PATTERN, NORWEGIAN_PATTERN
from loyalty.campaigns.settings_rules import EMAIL_PATTERN, NAME_MAX, SECRET_MAX
from openapi import PLAIN_TEXT

SENDER_NAME: dict[str, Any] = {
    "type": "string",
    "maxLength": 11,
    "allOf": [{"pattern": "^[A-Za-z0-9](?:[A-Za-z0-9 ]*[A-Za-z0-9])?$"}, {"pattern": "[A-Za-z]"}],
    "description": "An alphanumeric sender ID: ASCII letters, digits and spaces, a letter "
    "among them.",
}
SECRET = {
    "type": "string",
    "minLength": 1,
    "maxLength": SECRET_MAX,
    "pattern": r"^[\x20-\x7e]+$",
    "writeOnly": True,
    "description": "Stored encrypted, never returned. Left out, the stored one is kept while "
    "the provider and its account (and the SMTP host) stay the same.",
}
_USER = {"type": "string", "minLength": 1, "maxLength": NAME_MAX, "pattern": r"^[!-~]+$"}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_SHOWN = {
    "secret_stored": {"type": "boolean", "description": "Whether a secret is stored."},
    "updated_at": _TIME,
}
TWILIO_INPUT = {
    "type": "object",
    "required": ["provider", "account_sid", "auth_token", "sender"],
    "properties": {
        "provider": {"const": "twilio"},
        "account_sid": {"type": "string", "pattern": "^AC[0-9a-fA-F]{32}$"},
        "auth_token": SECRET,
        "sender": {
            "oneOf": [
                SENDER_NAME,
                {
                    "type": "string",
                    "pattern": f"^{E164_PATTERN}$",
                    "description": "A Twilio number.",
                },
                {
                    "type": "string",
                    "pattern": "^MG[0-9a-fA-F]{32}$",
                    "description": "A Messaging Service SID.",
                },
            ]
        },
    },
    "additionalProperties": False,
}
SVEVE_INPUT = {
    "type": "object",
    "required": ["provider", "user", "password", "sender"],
    "properties": {
        "provider": {"const": "sveve"},
        "user": _USER,
        "password": SECRET,
        "sender": {
            "oneOf": [
                SENDER_NAME,
                {
                    "type": "string",
                    "pattern": rf"^\+?(?:47)?{NORWEGIAN_PATTERN}$",
                    "description": "A Norwegian number (sent as 47 and its 8 digits).",
                },
            ]
        },
    },
    "additionalProperties": False,
}
EMAIL_INPUT = {
    "type": "object",
    "required": ["host", "port", "tls", "from"],
    "properties": {
        "host": {
            "type": "string",
            "maxLength": 253,
            "pattern": r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
            "description": "The mail server's host name or IP address.",
        },
        "port": {"type": "integer", "minimum": 1, "maximum": 65535, "examples": [587, 465]},
        "tls": {
            "enum": ["starttls", "tls", "none"],
            "description": "`starttls` (usually port 587) or `tls` (implicit, usually 465); "
            "`none` only for a server on this machine (`localhost`, `127.0.0.1`).",
        },
        "from": {"type": "string", "maxLength": 320, "pattern": f"^{EMAIL_PATTERN}$"},
        "from_name": {
            "type": "string",
            "maxLength": NAME_MAX,
            "allOf": [{"pattern": PLAIN_TEXT}, {"pattern": r"\S"}],
        },
        "user": {**_USER, "maxLength": 320},
        "password": SECRET,
    },
    "dependentRequired": {"password": ["user"], "user": ["password"]},
    "if": {"properties": {"tls": {"const": "none"}}},
    "then": {"properties": {"host": {"enum": ["localhost", "127.0.0.1"]}}},
    "additionalProperties": False,
}
SMS_VIEW = {
    "type": "object",
    "required": ["provider", "sender", "secret_stored", "updated_at"],
    "properties": {
        "provider": {"enum": ["twilio", "sveve"]},
        "account_sid": {"type": "string"},
        "user": {"type": "string"},
        "sender": {"type": "string"},
        "delivery_report_url": {
            "type": "string",
            "description": "Sveve only: the URL to give Sveve for delivery reports (it holds "
            "this shop's secret).",
        },
        **_SHOWN,
    },
}
EMAIL_VIEW = {
    "type": "object",
    "required": ["provider", "host", "port", "tls", "from", "secret_stored", "updated_at"],
    "properties": {
        "provider": {"const": "smtp"},
        "host": {"type": "string"},
        "port": {"type": "integer"},
        "tls": {"enum": ["starttls", "tls", "none"]},
        "from": {"type": "string"},
        "from_name": {"type": "string"},
        "user": {"type": "string"},
        **_SHOWN,
    },
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "Messaging": {
        "type": "object",
        "required": ["sms", "email"],
        "properties": {
            "sms": {"oneOf": [{"$ref": "#/components/schemas/SmsSettings"}, {"type": "null"}]},
            "email": {"oneOf": [{"$ref": "#/components/schemas/EmailSettings"}, {"type": "null"}]},
        },
    },
    "SmsSettings": SMS_VIEW,
    "EmailSettings": EMAIL_VIEW,
    "SmsSettingsInput": {
        "oneOf": [TWILIO_INPUT, SVEVE_INPUT],
        "description": "Twilio or Sveve. A secret may be left out to keep the stored one "
        "(same provider and account), a rule on stored state the schema cannot state.",
    },
    "EmailSettingsInput": EMAIL_INPUT,
    "TestSms": {
        "type": "object",
        "required": ["to"],
        "properties": {
            "to": {
                "type": "string",
                "pattern": f"^(?:{E164_PATTERN}|{NORWEGIAN_PATTERN})$",
                "description": "E.164, or a Norwegian number's 8 digits (spaces and a 0047 "
                "prefix are accepted too).",
            }
        },
        "additionalProperties": False,
    },
    "TestEmail": {
        "type": "object",
        "required": ["to"],
        "properties": {"to": {"type": "string", "maxLength": 320, "pattern": f"^{EMAIL_PATTERN}$"}},
        "additionalProperties": False,
    },
    "SentMessage": {
        "type": "object",
        "required": ["id", "channel", "provider", "status", "error_code", "sent_at", "updated_at"],
        "properties": {
            "id": {"type": "string"},
            "channel": {"enum": ["sms", "email"]},
            "provider": {"type": "string"},
            "status": {
                "enum": ["sending", "queued", "sent", "delivered", "undelivered", "failed"],
                "description": "Reports from the provider move it forward, never back.",
            },
            "error_code": {"type": ["string", "null"]},
            "sent_at": _TIME,
            "updated_at": _TIME,
        },
    },
}
