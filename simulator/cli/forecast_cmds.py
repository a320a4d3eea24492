"""Commands: forecast_cmds (filled in by its issue)."""
