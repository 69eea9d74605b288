"""Payments: gateway adapters (the sandbox gateway built in), the double-entry ledger, payouts
to producers and the guarantee fund. Payments knows orders only as references: it tells the
layer above what happened through the events in :mod:`sunlit.payments.model`."""
