"""Commands: import_cmds (filled in by its issue)."""
