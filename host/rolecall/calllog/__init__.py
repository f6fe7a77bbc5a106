"""The call log writer: entries from call updates, interrupted calls."""
