"""The `dragoman` command line: server, admin and client commands."""

from __future__ import annotations

import typer

from dragoman.cli import (
    admin,
    client_commands,
    demo,
    estimate,
    gengo,
    glossary,
    human,
    oauth_clients,
    rates,
    server,
    tm,
    translate,
    webhooks,
    worker,
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
server.register(app)
worker.register(app)
admin.register(app)
oauth_clients.register(app)
client_commands.register(app)
demo.register(app)
translate.register(app)
glossary.register(app)
tm.register(app)
rates.register(app)
estimate.register(app)
webhooks.register(app)
human.register(app)
gengo.register(app)
