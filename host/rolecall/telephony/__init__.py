"""Telephony: the SIP stack behind one interface, and the call service."""
