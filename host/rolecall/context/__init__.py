"""The `context.get` assembly: merge, group by role, missing roles, paging, caller lookup."""
