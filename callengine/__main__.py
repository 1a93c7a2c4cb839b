"""`python -m callengine` is the `callengine` CLI."""

from callengine.cli import app

app()
