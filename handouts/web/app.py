"""The web application: what every route shares, the middleware, and the route table."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import service
from ..content.store import CachedContentStore, ContentStore
from .batches import BatchRuns
from .data import DataFolder
from .history import History
from .security import BodyLimit, QuietErrors, SecurityHeaders
from .sessions import DEFAULT_LIFETIME, SessionCookies, load_key
from .users import UserStore

HERE = Path(__file__).resolve().parent


@dataclass
class WebSettings:
    content_root: Path
    data_dir: Path
    workers: int | None = None
    session_lifetime: int = DEFAULT_LIFETIME
    secure_cookies: bool = False  # set behind a TLS proxy, so cookies never travel in clear
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)


class Web:
    """What the routes share: content, data, sessions, warm renderers and running batches."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.store = CachedContentStore(settings.content_root)
        self.data = DataFolder(settings.data_dir)
        self.users = UserStore(self.data)
        self.history = History(self.data)
        self.cookies = SessionCookies(
            load_key(self.data.private_file("session.key")),
            settings.session_lifetime,
            settings.secure_cookies,
        )
        self.handouts = service.WarmHandouts(ContentStore(settings.content_root), settings.workers)
        self.batches = BatchRuns(self.store, self.data, self.history, settings.environ)
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.templates = Jinja2Templates(env=environment)


def create_app(settings: WebSettings) -> Starlette:
    from .routes import batch, handout, history, signin
    from .routes import settings as settings_page

    web = Web(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        web.handouts.start()
        try:
            yield
        finally:
            web.handouts.close()

    routes = [
        *signin.routes,
        *handout.routes,
        *batch.routes,
        *history.routes,
        *settings_page.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(QuietErrors), Middleware(BodyLimit)],
        lifespan=lifespan,
        exception_handlers=signin.exception_handlers,
    )
    app.state.web = web
    return app
