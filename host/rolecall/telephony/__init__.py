"""Telephony: the SIP stack behind one interface, the dial plan, and the call service."""
