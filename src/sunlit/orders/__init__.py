"""Orders: stock reservations, orders and their state machine, idempotency, the group-commit
order desk that keeps a flash sale fast without ever overselling."""
