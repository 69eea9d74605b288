"""A buyer's saved address as a value, and its checks (the same as a checkout's address)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sunlit.core.errors import N_
from sunlit.orders.model import check_buy

#: How many addresses one buyer may keep.
MAX_ADDRESSES = 20

#: The checkout's field names (``check_buy``) and the address book's.
_FIELDS = {
    "address_region": "region",
    "address_detail": "detail",
    "recipient": "recipient",
    "phone": "phone",
}


@dataclass(frozen=True, slots=True)
class AddressDraft:
    """An address as a buyer typed it, trimmed. ``label`` is the buyer's own name for it
    ("家", "店里"), optional."""

    label: str
    region: str
    detail: str
    recipient: str
    phone: str


def check_address(draft: AddressDraft, *, deliverable: bool) -> dict[str, str]:
    """A message per bad field; ``deliverable``: the region is a county a parcel can go to."""
    errors = {
        _FIELDS[name]: message
        for name, message in check_buy(
            qty=1,
            address_region=draft.region,
            address_detail=draft.detail,
            recipient=draft.recipient,
            phone=draft.phone,
            deliverable=deliverable,
        ).items()
        if name in _FIELDS
    }
    if len(draft.label) > 20 or not draft.label.isprintable():
        errors["label"] = N_("A label is at most 20 characters, like Home or Shop.")
    return errors


def draft_of(fields: dict[str, str]) -> AddressDraft:
    """The address fields of a form or body, trimmed (unchecked)."""
    return AddressDraft(
        label=fields.get("label", "").strip(),
        region=fields.get("region", "").strip(),
        detail=fields.get("detail", "").strip(),
        recipient=fields.get("recipient", "").strip(),
        phone=fields.get("phone", "").strip(),
    )


class SavedAddress(Protocol):
    """A saved address as pages and the API read it (the address book's row satisfies it)."""

    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def is_default(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...
