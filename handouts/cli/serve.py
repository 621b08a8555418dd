"""``handouts serve``: the front desk's web page, on a production server."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import click

from ..content.store import ContentStore
from .users import data_option


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8080,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Warm renderer processes for previews and handouts (default: the number of CPUs).",
)
@click.option(
    "--behind-tls",
    is_flag=True,
    help="A TLS reverse proxy is in front: mark the session cookie Secure.",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDR",
    envvar="HANDOUTS_TRUSTED_PROXY",
    help="A reverse proxy (address or network) whose X-Forwarded-For is believed; repeat for "
    "several (env HANDOUTS_TRUSTED_PROXY, space-separated). Default: none, the header is ignored.",
)
@data_option
@click.pass_obj
def serve_command(
    store: ContentStore,
    host: str,
    port: int,
    workers: int | None,
    behind_tls: bool,
    trusted_proxies: tuple[str, ...],
    data_path: Path | None,
) -> None:
    """Serve the front desk's web page (sign in with a user from 'handouts users add').

    It listens on 127.0.0.1 only, unless --host says otherwise; put a TLS
    reverse proxy in front of it to reach it from other machines (see README).

    \b
    Example:
      handouts users add frontdesk
      handouts serve            # then open http://127.0.0.1:8080
    """

    from ..web.app import WebSettings, create_app
    from ..web.data import data_dir

    # Everything this server writes (history, uploads, handouts) is health data.
    os.umask(0o077)
    settings = WebSettings(
        content_root=store.root,
        data_dir=data_path or data_dir(),
        workers=workers,
        secure_cookies=behind_tls,
        trusted_proxies=trusted_proxies,
    )
    app = create_app(settings)
    if not app.state.web.users.list():
        click.echo(
            "No one can sign in yet: add a user first with 'handouts users add NAME'.", err=True
        )
    click.echo("Starting the front desk (warming up the renderers)...", err=True)
    run_server(
        app,
        host=host,
        port=port,
        proxy_headers=False,  # the app applies them, from --trusted-proxy only
        server_header=False,
        log_level="info",
    )


def run_server(app: Any, **options: Any) -> None:  # Any: the web app, as uvicorn.run takes it
    """``uvicorn.run``, saying "ready" only once the page answers: after start-up (the
    warm renderers) and after the socket listens, not when the command starts."""
    import uvicorn

    address = f"http://{options.get('host', '127.0.0.1')}:{options.get('port', 8000)}"

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started and not self.should_exit:
                click.echo(f"Front desk ready at {address} (Ctrl-C stops it)", err=True)

    AnnouncingServer(uvicorn.Config(app, **options)).run()
