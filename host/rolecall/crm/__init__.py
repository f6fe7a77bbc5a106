"""CRM side: connectors, their config and factory, import/export, the outbox and write-backs."""
