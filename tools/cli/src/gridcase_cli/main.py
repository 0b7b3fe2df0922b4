"""``gridcase``: the command line of the platform.

gridcase dev up                 the whole system locally, with a demo city and the workbench
gridcase dev down               stop it (from another terminal)
gridcase token mint ...         a development or service token
gridcase hotline push ...       push a signed 12345 ticket
gridcase directory import ...   load directory data into dispatch
gridcase policies import ...    time limits into escalation
gridcase topics create          create the Kafka topics
gridcase pii rotate             re-encrypt personal data under the newest key
gridcase report rates|daily|monthly   service-quality reports (escalation computes them)
"""

from __future__ import annotations

import typer

from gridcase_cli import dev, directory, hotline, pii, policies, reports, tokens, topics

app = typer.Typer(help="gridcase: community grid case dispatch.", no_args_is_help=True)
app.add_typer(dev.app, name="dev")
app.add_typer(tokens.app, name="token")
app.add_typer(hotline.app, name="hotline")
app.add_typer(directory.app, name="directory")
app.add_typer(policies.app, name="policies")
app.add_typer(topics.app, name="topics")
app.add_typer(pii.app, name="pii")
app.add_typer(reports.app, name="report")


def main() -> None:
    app()
