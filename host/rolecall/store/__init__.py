"""The embedded store: the SQLite file, its migrations and the in-memory pages of calls."""
