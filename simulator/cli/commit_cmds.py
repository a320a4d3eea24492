"""Commands: commit_cmds (filled in by its issue)."""
