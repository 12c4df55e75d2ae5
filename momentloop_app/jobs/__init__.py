"""Export jobs kept in PostgreSQL: a queue claimed with SKIP LOCKED, leases, workers."""
