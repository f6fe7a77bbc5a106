"""Signing in to a CRM with OAuth 2.0 (authorization code + PKCE) and keeping the sign-in."""
