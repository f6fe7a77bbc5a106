"""The per-user daemon: one process that outlives browsers and serves every client."""
