"""Opportunity context: the embedded store, CRM connectors, the call log and its outbox."""
