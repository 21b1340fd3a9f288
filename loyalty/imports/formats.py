"""Which loyalty app a CSV file came from, and which of its columns mean what.

``../shared/IMPORT_FORMATS.md`` lists what each vendor documents. Headers are matched loosely:
:func:`normalise` drops case, spaces and punctuation, so ``Customer Email``, ``customer_email``
and ``E-mail`` meet the same alias. Each source names the aliases of its own columns first;
the generic aliases follow, so a renamed export still maps. Only three fields matter to the
import: the customer (``customer_id`` and/or ``email``) and ``points``; every other column is
shown as ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Field(StrEnum):
    """What a column holds, for the import."""

    CUSTOMER_ID = "customer_id"
    EMAIL = "email"
    POINTS = "points"
    REVOKED_AT = "revoked_at"  # Rivo's points log: a revoked transaction is skipped


class Mode(StrEnum):
    """Add the file's points to the balance, or set the balance to them."""

    ADD = "add"
    RESET = "reset"


GENERIC_ALIASES: dict[Field, tuple[str, ...]] = {
    Field.CUSTOMER_ID: (
        "customerid",
        "shopifycustomerid",
        "shopifyid",
        "shopifycustomer",
        "kundeid",
        "kundenummer",
    ),
    Field.EMAIL: (
        "email",
        "emailaddress",
        "customeremail",
        "customeremailaddress",
        "mail",
        "epost",
        "epostadresse",
    ),
    Field.POINTS: (
        "points",
        "pointsbalance",
        "pointbalance",
        "balance",
        "currentpoints",
        "availablepoints",
        "loyaltypoints",
        "totalpoints",
        "poeng",
        "poengsaldo",
        "saldo",
    ),
}


@dataclass(frozen=True)
class Source:
    """One app's file: how to recognise it, its columns, and what its import means."""

    key: str
    label: str
    aliases: dict[Field, tuple[str, ...]] = field(default_factory=dict)
    # Normalised headers any one of which marks a file as this app's (besides the aliases).
    markers: tuple[str, ...] = ()
    modes: tuple[Mode, ...] = (Mode.ADD, Mode.RESET)
    suggested_mode: Mode = Mode.ADD
    # A transaction log: several rows per customer, signed amounts.
    log: bool = False
    note: str = ""

    def alias_table(self) -> dict[str, Field]:
        """Normalised header → field, this source's aliases before the generic ones."""
        table: dict[str, Field] = {}
        for aliases in (self.aliases, GENERIC_ALIASES):
            for name, names in aliases.items():
                for alias in names:
                    table.setdefault(alias, name)
        return table


SMILE = Source(
    "smile",
    "Smile.io",
    markers=(),
    note="Smile.io's points import: exactly `email` and `points`.",
)
LOYALTYLION = Source(
    "loyaltylion",
    "LoyaltyLion",
    note="LoyaltyLion: column A email, column B points; the header text is not fixed.",
)
YOTPO = Source(
    "yotpo",
    "Yotpo Loyalty",
    aliases={Field.POINTS: ("pointsbalance",)},
    markers=("fullname", "pointsspent", "birthdaymmddormmddyyyy"),
    suggested_mode=Mode.RESET,
    note="Yotpo: Points Balance is the balance; Points Spent is ignored.",
)
BON = Source(
    "bon",
    "BON Loyalty",
    markers=("shopifycustomerid",),
    note="BON: Shopify customer id, email and points; the points are added.",
)
RIVO_TEMPLATE = Source(
    "rivo_template",
    "Rivo (template)",
    aliases={Field.POINTS: ("pointsbalance",)},
    markers=("viptier", "activationdate", "creditsbalance", "birthdate"),
    suggested_mode=Mode.RESET,
    note="Rivo's template sets the balance (its own import resets history).",
)
RIVO_LOG = Source(
    "rivo_log",
    "Rivo (points log)",
    aliases={Field.POINTS: ("pointsamount",), Field.REVOKED_AT: ("revokedat",)},
    markers=("pointsamount", "creditsamount", "internalnote", "externalnote", "appliedat"),
    modes=(Mode.ADD,),
    log=True,
    note="Rivo's points log: each row is a transaction; credits are store credit, not points.",
)
JOY = Source(
    "joy",
    "Joy",
    markers=("membershiptype", "createddate"),
    suggested_mode=Mode.RESET,
    note="Joy's export: Points is the balance.",
)
GENERIC = Source("generic", "Other CSV", note="Columns matched by name.")

SOURCES: dict[str, Source] = {
    s.key: s for s in (SMILE, LOYALTYLION, YOTPO, BON, RIVO_TEMPLATE, RIVO_LOG, JOY, GENERIC)
}

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(header: str) -> str:
    """A header as the alias tables spell it: lower case, letters and digits only."""
    text = header.strip().casefold()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return _NOT_ALNUM.sub("", text)


def detect(headers: list[str]) -> Source:
    """The app a header row most likely comes from (:data:`GENERIC` when none stands out)."""
    names = {normalise(h) for h in headers if h.strip()}
    if [h.strip() for h in headers if h.strip()] == ["email", "points"]:
        return SMILE
    for source in (RIVO_LOG, RIVO_TEMPLATE, YOTPO, JOY, BON):
        if names & set(source.markers):
            return source
    return GENERIC


@dataclass(frozen=True)
class Column:
    """One column of the file and the field it was mapped to (None: ignored)."""

    index: int
    header: str
    field: Field | None


def map_columns(headers: list[str], source: Source) -> list[Column]:
    """Map each header to a field; the first column that maps to a field wins it."""
    table = source.alias_table()
    taken: set[Field] = set()
    columns: list[Column] = []
    for index, header in enumerate(headers):
        found = table.get(normalise(header))
        if found is not None and found in taken:
            found = None
        if found is not None:
            taken.add(found)
        columns.append(Column(index, header, found))
    return columns


def headerless_columns() -> list[Column]:
    """LoyaltyLion's layout when the file has no header row: A is email, B is points."""
    return [Column(0, "A", Field.EMAIL), Column(1, "B", Field.POINTS)]
