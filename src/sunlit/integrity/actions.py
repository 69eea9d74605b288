"""The integrity steps as the routes take them, over one request's :class:`Work`: importing a
stream and working a case, with the request's supervisor, services and time."""

from __future__ import annotations

from sunlit.accounts.work import Work
from sunlit.core.errors import N_, InvalidInput
from sunlit.integrity import services as cases
from sunlit.integrity.cases import Decision
from sunlit.integrity.ingest import Imported, do_import
from sunlit.web.deps import Kit

#: What the case page's one form per step may ask for.
STEPS = ("assign", "note", "confirm", "dismiss", "publish")


async def import_stream(work: Work[Kit], data: bytes, filename: str, skip_bad: bool) -> Imported:
    """Import an event stream: keep the file, open a case per finding."""
    kit = work.services
    return await do_import(
        work.db,
        kit.files,
        kit.zone,
        data=data,
        filename=filename,
        actor=work.actor,
        skip_bad=skip_bad,
        now=work.now,
    )


async def decide(work: Work[Kit], case_id: str, decision: Decision, reason: str) -> None:
    """Confirm or dismiss a case, with the reason; the session's verified figures follow."""
    await cases.do_decide(
        work.db,
        case_id,
        actor=work.actor,
        decision=decision,
        reason=reason,
        now=work.now,
        files=work.services.files,
        zone=work.services.zone,
    )


async def take_step(work: Work[Kit], case_id: str, step: str, fields: dict[str, str]) -> None:
    """One step on a case from the case page's form: ``step`` is one of :data:`STEPS`."""
    actor, now = work.actor, work.now
    if step == "assign":
        await cases.do_assign(
            work.db, case_id, actor=actor, assignee=fields.get("assignee", ""), now=now
        )
    elif step == "note":
        await cases.do_add_note(
            work.db, case_id, actor=actor, text_=fields.get("text", ""), now=now
        )
    elif step in ("confirm", "dismiss"):
        await decide(work, case_id, Decision(step), fields.get("reason", ""))
    elif step == "publish":
        await cases.do_publish(work.db, case_id, actor=actor, now=now)
    else:
        raise InvalidInput(N_("Choose what to do with the case."))
