"""What each audit action means, in the admin's language (``member.adjusted`` → "Points adjusted").

The audit log stores codes (``<who>.<what>``, see :mod:`loyalty.audit`), which programs and the
data export keep using; staff read labels. A code without a label (an entry written before its
label existed) is shown as the code. tests/admin_pages/test_audit_labels.py finds every code
the code base writes and checks that each has a label here, and each label a code.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

ACTION_LABELS: dict[str, LazyString] = {
    # By staff in the admin.
    "member.read": _l("Member data viewed"),
    "audit.read": _l("Activity log viewed"),
    "member.adjusted": _l("Points adjusted"),
    "member.imported": _l("Imported from a file"),
    "privacy.export_downloaded": _l("Data request export downloaded"),
    "members.searched": _l("Members searched"),
    "members.exported": _l("Members exported"),
    "import.applied": _l("Import applied"),
    "backfill.start": _l("Backfill started"),
    "settings.update": _l("Program settings changed"),
    "appearance.update": _l("Widget appearance changed"),
    # By the member, in the widget.
    "member.profile_updated": _l("Profile updated"),
    "member.consent_changed": _l("Marketing consent changed"),
    "member.restricted": _l("Use of data restricted"),
    "member.restriction_lifted": _l("Restriction lifted"),
    "member.exported": _l("Member's own download"),
    "member.left": _l("Member left the club"),
    # By Klubb itself.
    "retention.member_anonymised": _l("Anonymised after inactivity"),
    "privacy.data_request_exported": _l("Export made for a data request"),
    "privacy.customer_redacted": _l("Customer erasure"),
}


def action_label(action: str) -> str:
    """The label of ``action`` in the request's language; the code itself if it has none."""
    label = ACTION_LABELS.get(action)
    return action if label is None else str(label)
