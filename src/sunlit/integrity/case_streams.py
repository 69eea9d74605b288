"""The events of a case's session, read into a `Stream` for the pages that show what one account
did and what the room said: from Sunlit's own event log, or from the file an import kept. The
last few read are kept in memory: an imported file never changes under its SHA-256, and one of
Sunlit's own sessions is read again only when its log grows (shared events without a session —
a new account, a price change — do not count: the pages show what happened in the session)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.services import display_names, find_account
from sunlit.core.errors import N_, NotFound
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.files.store import LocalFileStore
from sunlit.integrity import views
from sunlit.integrity.figures import load_stream
from sunlit.integrity.naming import SessionName, session_names
from sunlit.integrity.stream import Stream
from sunlit.integrity.tables import CaseRow, StreamImportRow
from sunlit.integrity.traces import ChatPage, Trace, chat_log, moment, trace

_READ: OrderedDict[str, Stream] = OrderedDict()
_KEEP = 4


async def case_stream(
    db: AsyncSession,
    files: LocalFileStore,
    zone: ZoneInfo,
    session: str,
    imported: StreamImportRow | None,
) -> Stream:
    """The stream the case was found in (empty when an imported file is gone from the store)."""
    if imported is None:
        # One of Sunlit's sessions: read again only when the log has more of it.
        last = await db.scalar(select(func.max(EventRow.seq)).where(EventRow.session == session))
        key = f"{session}@{last}"
    else:
        key = imported.sha256
    if key in _READ:
        _READ.move_to_end(key)
        return _READ[key]
    import_id = imported.id if imported is not None else None
    stream = await load_stream(db, files, zone, import_id, session) or Stream()
    _READ[key] = stream
    while len(_READ) > _KEEP:
        _READ.popitem(last=False)
    return stream


@dataclass(frozen=True)
class Who:
    """The account as the case's source knows it: Sunlit's own record, or what the imported
    stream's ``account.registered`` said (any part may be missing)."""

    id: str
    name: str
    role: str | None
    org: str | None
    registered: datetime | None
    region: str | None = None
    disabled: bool = False


@dataclass(frozen=True)
class AccountInCase:
    case: CaseRow
    imported: StreamImportRow | None
    session: SessionName
    who: Who
    trace: Trace
    names: dict[str, str]  # every account shown, by id
    products: dict[str, str]  # every product shown, by id
    other_cases: list[CaseRow]
    titles: dict[str, str]

    @property
    def named(self) -> bool:
        return self.who.id in self.case.accounts


@dataclass(frozen=True)
class ChatOfCase:
    case: CaseRow
    session: SessionName
    page: ChatPage
    names: dict[str, str]


async def _names(db: AsyncSession, own: bool, ids: set[str]) -> dict[str, str]:
    return await display_names(db, ids) if own else {i: i for i in ids}


async def account_in_case(
    db: AsyncSession, files: LocalFileStore, zone: ZoneInfo, case_id: str, account_id: str
) -> AccountInCase:
    """What the account did in the case's session; NotFound when the session never saw it."""
    case = await views.case_by_id(db, case_id)
    imported = await views.stream_import(db, case.import_id)
    stream = await case_stream(db, files, zone, case.session, imported)
    found = trace(stream, case.session, account_id)
    own = case.import_id is None
    row = await find_account(db, account_id) if own else None
    if found.empty and account_id not in case.accounts:
        raise NotFound(N_("This account did nothing in the case's session."))
    profile = found.profile
    if row is not None:
        who = Who(
            row.id,
            row.display_name,
            row.role.value,
            row.org,
            row.created_at,
            row.region,
            row.disabled,
        )
    else:
        who = Who(
            account_id,
            account_id,
            profile.role if profile else None,
            profile.org if profile else None,
            moment(profile.created) if profile and profile.created is not None else None,
        )
    shown = {account_id} | {a for s in found.shared for a in s.others}
    others = await views.cases_naming(db, account_id, case.import_id)
    others = [c for c in others if c.id != case.id]
    products = {o.product for o in found.orders}
    return AccountInCase(
        case=case,
        imported=imported,
        session=(await session_names(db, files, [case]))[case.id],
        who=who,
        trace=found,
        names=await _names(db, own, shown),
        products={
            p: (stream.products[p].name if p in stream.products else "") or p for p in products
        },
        other_cases=others,
        titles=await views.case_titles(db, others),
    )


async def chat_of_case(
    db: AsyncSession,
    files: LocalFileStore,
    zone: ZoneInfo,
    case_id: str,
    *,
    account: str | None,
    text: str | None,
    page: int,
) -> ChatOfCase:
    """One page of the chat of the case's session, filtered by author or words."""
    case = await views.case_by_id(db, case_id)
    imported = await views.stream_import(db, case.import_id)
    stream = await case_stream(db, files, zone, case.session, imported)
    shown = chat_log(stream.sessions.get(case.session), account=account, text=text, page=page)
    authors = {m.account for m in shown.messages} | ({account} if account else set())
    return ChatOfCase(
        case=case,
        session=(await session_names(db, files, [case]))[case.id],
        page=shown,
        names=await _names(db, case.import_id is None, authors),
    )
