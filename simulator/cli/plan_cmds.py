"""Commands: plan_cmds (filled in by its issue)."""
