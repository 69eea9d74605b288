"""Loading the demo region: served regions and one account of each kind per county."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from faker import Faker
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, NewAccount, Role
from sunlit.accounts.services import Origin, Passwords, account_named, do_register, usernames
from sunlit.catalog.model import (
    Band,
    Category,
    InspectionKind,
    ProducerDraft,
    ProducerKind,
    ProductDraft,
    Unit,
    UnsalableReason,
)
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import bands
from sunlit.catalog.products import services as catalog
from sunlit.catalog.quality import services as quality
from sunlit.catalog.unsalable import services as unsalable
from sunlit.core.files.model import Upload
from sunlit.core.files.store import LocalFileStore
from sunlit.core.regions.services import do_serve_region
from sunlit.demo.data import BAND_SOURCE, CERTIFIER, COUNTIES, SUPERVISOR_ORGS, DemoCounty
from sunlit.demo.documents import demo_certificate_pdf

DEMO_ORIGIN = Origin(ip="127.0.0.1", device="demo")


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    display_name: str
    role: Role
    org: str | None


def demo_accounts(seed: int = 2020) -> list[NewAccount]:
    """The demo people, always the same for the same seed. Password is filled in later."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    people = [
        NewAccount(
            "operator", "平台运营 " + fake.name(), "", Role.OPERATOR, org="阳光助农直播平台"
        ),
    ]
    people += [
        NewAccount(f"supervisor{n}", fake.name(), "", Role.SUPERVISOR, org=org)
        for n, org in enumerate(SUPERVISOR_ORGS, start=1)
    ]
    for county in COUNTIES:
        people.append(
            NewAccount(
                f"official.{county.slug}",
                fake.name(),
                "",
                Role.OFFICIAL,
                org=county.government_zh,
                region=county.code,
            )
        )
        people.append(
            NewAccount(
                f"farmer.{county.slug}",
                fake.name(),
                "",
                Role.FARMER,
                org=county.cooperative_zh,
                region=county.code,
            )
        )
    people += [NewAccount(f"buyer{n}", fake.name(), "", Role.CONSUMER) for n in range(1, 4)]
    # Last, so that the people above keep their names: a county's media centre, which
    # registers the figures it announces about a session (claims).
    people.append(
        NewAccount(
            "press.dangshan", fake.name(), "", Role.PRESS, org="砀山县融媒体中心", region="341321"
        )
    )
    return people


async def load_demo(
    db: AsyncSession,
    passwords: Passwords,
    *,
    password: str,
    now: datetime,
    files: LocalFileStore,
    progress: Callable[[str], None] = lambda _: None,
) -> list[DemoLogin]:
    """Idempotent: what exists already is kept. Returns every demo login."""
    for county in COUNTIES:
        await do_serve_region(db, county.code, now=now, actor=None)
        progress(county.code)
    existing = await usernames(db)
    logins = []
    for person in demo_accounts():
        person = NewAccount(
            person.username,
            person.display_name,
            password,
            person.role,
            phone=person.phone,
            org=person.org,
            region=person.region,
        )
        if person.username not in existing:
            await do_register(db, passwords, person, now=now, origin=DEMO_ORIGIN, trusted=True)
        logins.append(DemoLogin(person.username, person.display_name, person.role, person.org))
        progress(person.username)
    await db.flush()
    for county in COUNTIES:
        await _load_county(db, county, files, now=now)
        progress(county.slug)
    return logins


async def _account(db: AsyncSession, username: str) -> Actor:
    row = await account_named(db, username)
    if row is None:
        raise LookupError(f"demo account {username} is missing")
    return row


async def _load_county(
    db: AsyncSession, county: DemoCounty, files: LocalFileStore, *, now: datetime
) -> None:
    """The county's cooperative (run by its demo farmer), its reference bands and produce."""
    if await producers.producer_named(db, county.cooperative_zh) is not None:
        return
    operator = await _account(db, "operator")
    farmer = await _account(db, f"farmer.{county.slug}")
    cooperative = await producers.do_register_producer(
        db,
        operator,
        ProducerDraft(
            ProducerKind.COOPERATIVE,
            county.cooperative_zh,
            county.code,
            village=county.village_zh,
            contact_name=farmer.display_name,
        ),
        now=now,
        manager=farmer.id,
    )
    await db.flush()
    for item in county.produce:
        band = Band(
            item.kind,
            county.code,
            item.band_low_fen,
            item.band_high_fen,
            Unit.JIN,
            now.date(),
            BAND_SOURCE,
        )
        await bands.do_add_band(db, operator, band, now=now)
        await db.flush()
        draft = ProductDraft(
            name_zh=item.name_zh,
            name_en=item.name_en,
            kind=item.kind,
            category=Category(item.category),
            origin_region=county.code,
            unit=Unit(item.unit),
            price=item.price_fen,
            stock=item.stock,
            box_grams=item.box_grams,
            declared_cost=item.cost_fen,
            story_zh=item.story_zh,
            story_en=item.story_en,
        )
        product = await catalog.do_list_product(db, farmer, cooperative.id, draft, now=now)
        await db.flush()
        start, end = item.certificate_days
        await quality.do_add_inspection(
            db,
            files,
            farmer,
            product.id,
            kind=InspectionKind.COMPLIANCE_CERTIFICATE,
            issuer=CERTIFIER,
            issued_on=now.date() + timedelta(days=start),
            expires_on=now.date() + timedelta(days=end),
            upload=Upload(
                demo_certificate_pdf(
                    "Sunlit demo compliance certificate",
                    [item.name_en, f"Region {county.code}", "DEMO DATA - NOT A REAL DOCUMENT"],
                ),
                "certificate.pdf",
            ),
            max_bytes=1_000_000,
            now=now,
        )
        if item.unsalable is not None:
            quantity, reason, days, note = item.unsalable
            await unsalable.do_report_unsalable(
                db,
                farmer,
                product.id,
                quantity=quantity,
                reason=UnsalableReason(reason),
                deadline=now.date() + timedelta(days=days),
                note=note,
                now=now,
            )
    await db.flush()


def demo_steps() -> int:
    return 2 * len(COUNTIES) + len(demo_accounts())
