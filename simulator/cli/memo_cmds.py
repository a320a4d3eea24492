"""Commands: memo_cmds (filled in by its issue)."""
