"""The embedded store: the SQLite file, its migrations, the in-memory pages of calls and
the memory of deals read off CRM pages."""
