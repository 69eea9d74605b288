"""Every context's tables, imported in one place so that ``Base.metadata`` knows them all
(for Alembic and for tests)."""

from sunlit.accounts import tables as accounts_tables
from sunlit.catalog import tables as catalog_tables
from sunlit.core.eventlog import tables as eventlog_tables
from sunlit.core.files import tables as files_tables
from sunlit.filing import tables as filing_tables
from sunlit.integrity import tables as integrity_tables
from sunlit.live import tables as live_tables
from sunlit.orders import tables as orders_tables
from sunlit.participation import tables as participation_tables
from sunlit.payments import tables as payments_tables

__all__ = [
    "accounts_tables",
    "catalog_tables",
    "eventlog_tables",
    "files_tables",
    "filing_tables",
    "integrity_tables",
    "live_tables",
    "orders_tables",
    "participation_tables",
    "payments_tables",
]
