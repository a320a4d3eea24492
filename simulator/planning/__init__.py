"""Wave planning: backlog ranking, the greedy plan, trajectories, columns and the exact MILP."""
