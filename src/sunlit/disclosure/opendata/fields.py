"""Every field the open data may carry, kind by kind, with its type and what it means: the
allowlist the pseudonymisation test holds every record to, the source of the JSON Schema
(``sunlit-open-1.schema.json``, kept equal to it by a test) and of the field tables on the
/open-data page, in Chinese and English. A path names a nested field with dots; ``[]`` marks
a list. A type ending in ``?`` may be null; ``object`` is a map whose keys the description
names."""

from __future__ import annotations

from dataclasses import dataclass

from sunlit.core.errors import N_
from sunlit.disclosure.opendata.model import Kind


@dataclass(frozen=True, slots=True)
class Field:
    path: str
    type: str
    description: str


def _f(path: str, type_: str, description: str) -> Field:
    return Field(path, type_, description)


ENVELOPE = (
    _f("spec", "string", N_("Always sunlit-open/1: the version of this format.")),
    _f("seq", "integer", N_("The record's place in the public log, from 0 (its leaf index).")),
    _f("kind", "string", N_("What the record is about: one of the kinds below.")),
    _f("key", "string", N_("Which one: the same key in every revision of the same thing.")),
    _f("revision", "integer", N_("1 for the first publication, one more at each change.")),
    _f("replaces", "integer?", N_("The seq of the revision this one replaces; null at first.")),
    _f(
        "reason",
        "string",
        N_("Why this revision: “published” at first, then the events that changed it."),
    ),
    _f("published_at", "string", N_("When Sunlit appended it to the log (RFC 3339, UTC).")),
    _f("body", "object", N_("The record itself: its fields depend on the kind.")),
)

_DOCUMENT = (
    ("kind", "string", N_("The document: inspection report, compliance certificate…")),
    ("issuer", "string", N_("Who issued it.")),
    ("expires_on", "string", N_("The day it expires (YYYY-MM-DD).")),
)
_OUTCOME = (
    ("product", "string", N_("The product's id (empty on the total line).")),
    ("orders", "integer", N_("Orders placed.")),
    ("paid_orders", "integer", N_("Orders paid and not cancelled or refunded in full.")),
    ("units", "integer", N_("Units in those orders.")),
    ("paid", "integer", N_("Fen paid, before refunds.")),
    ("refunded", "integer", N_("Fen refunded.")),
    ("cancelled", "integer", N_("Orders cancelled.")),
    ("complaints", "integer", N_("Complaints filed.")),
    ("paid_out", "integer", N_("Fen paid out to the producers so far.")),
    ("fee", "integer", N_("Fen kept as the platform's fee.")),
    ("fund", "integer", N_("Fen set aside in the guarantee fund.")),
    ("households", "integer", N_("Member households who received a share.")),
)


def _under(prefix: str, parts: tuple[tuple[str, str, str], ...]) -> tuple[Field, ...]:
    return tuple(_f(f"{prefix}.{name}", t, d) for name, t, d in parts)


SESSION = (
    _f("id", "string", N_("The session's id (the same as its page's).")),
    _f("title", "string", N_("Its title as filed.")),
    _f("status", "string", N_("approved, live or ended.")),
    _f("starts_at", "string", N_("The approved start (RFC 3339).")),
    _f("ends_at", "string", N_("The approved end (RFC 3339).")),
    _f("purpose", "string", N_("The declared purpose (unsalable produce, a regional brand…).")),
    _f("answers_report", "string?", N_("The unsalable-produce report it answers, if any.")),
    _f("invited_by", "string?", N_("The office that invited the official, if declared.")),
    _f("host.name", "string", N_("The host: an official's name, or the producing organisation's.")),
    _f("host.office", "string?", N_("The host's office or organisation.")),
    _f("host.region", "string?", N_("The host's region code (GB/T 2260).")),
    _f("host.kind", "string", N_("official or producer: who hosts.")),
    _f("host.guest", "string?", N_("An official joining a producer's session: name and office.")),
    _f("products[].id", "string", N_("The product's id.")),
    _f("products[].name_zh", "string", N_("Its name in Chinese.")),
    _f("products[].name_en", "string", N_("Its name in English.")),
    _f("products[].price", "integer", N_("Its price in fen a unit.")),
    _f("products[].unit", "string", N_("The unit: jin, kg, box…")),
    _f("products[].box_grams", "integer?", N_("Net grams in a box, for boxed produce.")),
    _f("products[].producer", "string", N_("The producer's name; empty for a household.")),
    _f("products[].producer_kind", "string", N_("household, cooperative or enterprise.")),
    _f("products[].producer_verified", "boolean", N_("Whether an operator verified it.")),
    _f("products[].band_low", "integer?", N_("The reference price band's low end (fen).")),
    _f("products[].band_high", "integer?", N_("The reference price band's high end (fen).")),
    _f("products[].band_status", "string?", N_("below, within or above the band.")),
    *_under("products[].documents[]", _DOCUMENT),
    _f("products[].documents[].valid", "boolean", N_("Valid through the session's last day.")),
    _f("partners[].name", "string", N_("A partner company or body, by name.")),
    _f("partners[].kind", "string", N_("What kind of partner it is.")),
    _f("partners[].relationship", "string?", N_("A declared tie to the official, if any.")),
    _f("partners[].public_interest", "string?", N_("Why it takes part, as declared.")),
    _f("rules[].rule", "string", N_("A boundary rule that found something.")),
    _f("rules[].severity", "string", N_("block or warn.")),
    _f("rules[].message", "string", N_("What it found, in words.")),
    _f("rules[].params", "object", N_("The figures behind the message.")),
    _f("approval.role", "string", N_("Who approved the plan: a supervisor.")),
    _f("approval.office", "string?", N_("The approver's office.")),
    _f("approval.on", "string?", N_("When it was approved.")),
)

FIGURES = (
    _f("session", "string", N_("The session's id.")),
    *_under("outcome[]", _OUTCOME),
    *_under("total", _OUTCOME),
    _f("left_out", "integer", N_("Orders left out: confirmed fake by a supervisor.")),
    _f("verified", "object?", N_("The integrity engine's verified figures; null until computed.")),
    _f("verified.gmv", "integer", N_("Fen paid for genuine orders, less refunds.")),
    _f("verified.orders", "integer", N_("Genuine orders.")),
    _f("verified.viewers", "integer", N_("Genuine viewers.")),
    _f("verified.cancelled_or_refunded", "integer", N_("Orders cancelled or refunded.")),
    _f("verified.confirmed_flagged_orders", "integer", N_("Orders a supervisor confirmed fake.")),
    _f("verified.confirmed_flagged_viewers", "integer", N_("Viewers confirmed fake.")),
    _f("verified.delivered_per_mille", "integer?", N_("Orders delivered, per thousand shipped.")),
    _f("verified.complaints_per_1000_orders", "integer?", N_("Complaints per thousand orders.")),
    _f("verified.refunds_per_1000_orders", "integer?", N_("Refunds per thousand orders.")),
    _f("verified.median_delivery_hours", "number?", N_("Median hours from payment to delivery.")),
    _f("verified.viewers_joined", "integer?", N_("Viewers who joined, before any is taken off.")),
    _f(
        "verified.viewers_not_real",
        "object?",
        N_("An estimate of viewers not real where none can be named: low, high, baseline."),
    ),
    _f(
        "verified.orders_not_organic",
        "object?",
        N_("An estimate of orders not organic: low, high, gmv_low, gmv_high, baseline."),
    ),
)

FINDING = (
    _f("session", "string", N_("The session it is about.")),
    _f("case", "string", N_("The case's id on the findings page.")),
    _f("rule", "string", N_("The integrity rule (fake_viewers, price_gouging…).")),
    _f("severity", "string", N_("low, medium or high.")),
    _f("reason", "string?", N_("The supervisor's reason for publishing it.")),
    _f("published_at", "string?", N_("When it was published.")),
)

CLAIM = (
    _f("session", "string", N_("The session it is about.")),
    _f("id", "string", N_("The claim's id.")),
    _f("source", "string", N_("Where the figures were announced (title, paper).")),
    _f("link", "string?", N_("A link to it, if given.")),
    _f("published_at", "string", N_("When it was registered.")),
    _f("by", "string?", N_("The newsroom that registered it (an organisation).")),
    _f("figures[].name", "string", N_("gmv, orders or viewers.")),
    _f("figures[].announced", "integer", N_("The figure announced.")),
    _f("figures[].verified", "integer?", N_("The verified figure beside it.")),
    _f("figures[].gap", "number?", N_("announced ÷ verified − 1.")),
    _f("figures[].over", "boolean", N_("Above the verified figure beyond the tolerance.")),
    _f("verified", "boolean", N_("Whether the session's verified figures exist yet.")),
    _f("over", "boolean", N_("Whether some figure is over.")),
)

CONCERN = (
    _f("id", "string", N_("The concern's id.")),
    _f("subject", "string", N_("What it is about: session, product, order or producer.")),
    _f("session", "string?", N_("The session concerned, if any.")),
    _f("product", "string?", N_("The product concerned, if any.")),
    _f("category", "string", N_("forced_purchase, quality, price…")),
    _f("raised_at", "string", N_("When it was raised.")),
    _f("status", "string", N_("Where it stands: open, answered, accepted, escalated…")),
    _f("deadline", "string", N_("When the answer is due.")),
    _f("party", "string", N_("Who must answer: the producer or the office.")),
    _f("round", "integer", N_("The round of answers it is in.")),
    _f("summary", "string?", N_("A supervisor's public summary, once published.")),
    _f("answers[].round", "integer", N_("The round of the answer.")),
    _f("answers[].kind", "string", N_("explanation, correction…")),
    _f("answers[].text", "string", N_("The answer, as the party gave it.")),
    _f("answers[].answered_at", "string", N_("When it was given.")),
    _f("answers[].in_time", "boolean", N_("Given before the deadline.")),
    _f("answers[].outcome", "string?", N_("What the raiser or supervisor made of it.")),
    _f("answers[].note", "string?", N_("Their note.")),
    _f("rating", "integer?", N_("The raiser's rating of the answers, 1 to 5.")),
    _f("case", "string?", N_("The integrity case it led to, if any.")),
)

PRODUCER = (
    _f("id", "string", N_("The producer's id.")),
    _f("name", "string", N_("A cooperative's or enterprise's name.")),
    _f("kind", "string", N_("cooperative or enterprise (households are only counted).")),
    _f("region", "string", N_("Its county's code.")),
    _f("cooperative", "string?", N_("The cooperative it belongs to, if any.")),
    _f("verified", "boolean", N_("Whether an operator verified it.")),
)

PRODUCT = (
    _f("id", "string", N_("The product's id.")),
    _f("name_zh", "string", N_("Its name in Chinese.")),
    _f("name_en", "string", N_("Its name in English.")),
    _f("kind", "string", N_("The produce (crisp_pear, blueberry…): what bands are kept for.")),
    _f("category", "string", N_("fruit, vegetable, grain, tea…")),
    _f("origin_region", "string", N_("The county it comes from.")),
    _f("unit", "string", N_("The unit it is sold by.")),
    _f("box_grams", "integer?", N_("Net grams in a box, for boxed produce.")),
    _f("price", "integer", N_("Its price in fen a unit.")),
    _f("on_sale", "boolean", N_("Whether it is on sale.")),
    _f("producer", "string?", N_("The producer's id; null for a household.")),
    _f("producer_kind", "string", N_("household, cooperative or enterprise.")),
    _f("band_low", "integer?", N_("The reference band's low end in force (fen).")),
    _f("band_high", "integer?", N_("The reference band's high end in force (fen).")),
    *_under("documents[]", _DOCUMENT),
)

BAND = (
    _f("kind", "string", N_("The produce it is for.")),
    _f("region", "string?", N_("The region it was observed in.")),
    _f("low", "integer", N_("The low end, fen a unit.")),
    _f("high", "integer", N_("The high end, fen a unit.")),
    _f("unit", "string", N_("The unit.")),
    _f("observed_on", "string", N_("The day the prices were observed.")),
    _f("source", "string", N_("Where they come from (a market, a bureau).")),
)

HOUSEHOLDS = (
    _f("region", "string", N_("The county's code.")),
    _f("households", "integer", N_("Household producers registered there.")),
    _f("verified", "integer", N_("How many of them are verified.")),
)

RULES = (_f("text", "string", N_("The boundary rules in force, as the registry states them.")),)

WITHDRAWN = (_f("withdrawn", "boolean", N_("Always true: the record is no longer public.")),)

BODIES: dict[str, tuple[Field, ...]] = {
    Kind.SESSION: SESSION,
    Kind.FIGURES: FIGURES,
    Kind.FINDING: FINDING,
    Kind.CLAIM: CLAIM,
    Kind.CONCERN: CONCERN,
    Kind.PRODUCER: PRODUCER,
    Kind.PRODUCT: PRODUCT,
    Kind.BAND: BAND,
    Kind.HOUSEHOLDS: HOUSEHOLDS,
    Kind.RULES: RULES,
}

#: What each kind is, for the page.
KINDS: dict[str, str] = {
    Kind.SESSION: N_("A session as filed and approved: host, window, products, partners, rules."),
    Kind.FIGURES: N_("A session's figures once it has ended: sales, payouts, verified figures."),
    Kind.FINDING: N_("An integrity finding a supervisor confirmed and published."),
    Kind.CLAIM: N_("Figures the press announced about a session, beside the verified ones."),
    Kind.CONCERN: N_("A concern raised by the public: its public summary and the answers."),
    Kind.PRODUCER: N_("A cooperative or enterprise, by name."),
    Kind.PRODUCT: N_("A product on sale, with its price and the reference band in force."),
    Kind.BAND: N_("A reference price band, observed at a market."),
    Kind.HOUSEHOLDS: N_("How many household producers a county has: households are never named."),
    Kind.RULES: N_("The boundary rules in force."),
}
