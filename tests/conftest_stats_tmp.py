import collections, json
from sqlalchemy import select, func
import tests.test_ledger as t
STATS = collections.Counter()
orig = t.Market.teardown
def teardown(self):
    async def collect():
        async with self.database.sessions() as db:
            for o in (await db.scalars(select(t.OrderRow))).all():
                STATS["order:" + o.state] += 1
                if o.state == "cancelled" and o.refunded: STATS["cancelled-with-refund"] += 1
                if o.state == "refunded" and o.shipped_at: STATS["refunded-after-ship"] += 1
            STATS["payouts"] += await db.scalar(select(func.count()).select_from(t.text("payouts")))
            STATS["refunds"] += await db.scalar(select(func.count()).select_from(t.RefundRow))
            STATS["receipts"] += await db.scalar(select(func.count()).select_from(t.WebhookReceiptRow))
            tx = (await db.scalars(select(t.LedgerTransactionRow))).all()
            for x in tx: STATS["tx:" + x.memo] += 1
    if hasattr(self, "world"): self.run(collect())
    orig(self)
t.Market.teardown = teardown
def pytest_sessionfinish(session, exitstatus):
    print("\nSTATS", json.dumps(STATS, ensure_ascii=False, indent=0))
