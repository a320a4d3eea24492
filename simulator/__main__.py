"""``python -m simulator`` runs the ``commitsim`` command line."""

from simulator.cli import main

main()
