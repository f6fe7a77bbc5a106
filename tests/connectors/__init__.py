"""Tests of the CRM connectors against local fake CRM servers."""
