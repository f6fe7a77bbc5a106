"""Reads a Salesforce data export (CSV files) or Rolecall's own JSON into one `Dataset`.

This module owns turning untrusted files into the shared models, row by row: a bad row
is reported (`RowError`: file, 1-based line with the header on line 1, message) and
skipped, never raised. What cannot exist without a skipped row (a role, a document) is
skipped and reported too; a link that can be dropped (`AccountId`, `ReportsToId`) is
dropped with a warning. So the result only refers to what it holds, and the caller
loads `ImportResult.dataset` (only the good rows) in one transaction.

The Salesforce CSV reader is `salesforce_csv`, the JSON reader `rolecall_json`; both hand
their rows to `records`, which assembles them and reports what was skipped.
"""

from rolecall.crm.importing.records import (
    JSON_FORMAT,
    JSON_VERSION,
    ImportResult,
    PhoneKind,
    RowError,
    parse_phone,
)
from rolecall.crm.importing.rolecall_json import import_json
from rolecall.crm.importing.salesforce_csv import import_salesforce_csv

__all__ = [
    "JSON_FORMAT",
    "JSON_VERSION",
    "ImportResult",
    "PhoneKind",
    "RowError",
    "import_json",
    "import_salesforce_csv",
    "parse_phone",
]
