"""`python -m journey` runs the CLI."""

from journey.entrypoints.cli import main

main()
