"""`python -m dragoman` runs the CLI."""

from dragoman.cli import app

app()
