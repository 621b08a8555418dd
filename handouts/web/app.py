"""The web application: what every route shares, the middleware, and the route table."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping
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
from .lanes import PasswordLanes
from .security import BodyLimit, QuietErrors, SecurityHeaders
from .sessions import DEFAULT_IDLE, DEFAULT_LIFETIME, SessionCookies, SessionStore, load_key
from .users import Passwords, UserStore

HERE = Path(__file__).resolve().parent
HASHING_AT_ONCE = 2
# Addresses with recent wrong passwords: one check at a time (a clear address
# finds the other place free), and this many waiting; one more is refused (429).
FAILING_HASHING_AT_ONCE = 1
FAILING_WAITING = 8


@dataclass
class WebSettings:
    content_root: Path
    data_dir: Path
    workers: int | None = None
    session_lifetime: int = DEFAULT_LIFETIME  # from sign-in
    session_idle: int = DEFAULT_IDLE
    secure_cookies: bool = False  # set behind a TLS proxy, so cookies never travel in clear
    # Proxies whose X-Forwarded-For (and -Proto) are believed; from anyone else they are
    # ignored, or any client could pick the address its wrong passwords are counted against.
    trusted_proxies: tuple[str, ...] = ()
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    clock: Callable[[], float] = time.time  # sessions and sign-in throttling; tests set it
    passwords: Passwords | None = None  # argon2 with its default cost unless a test says


class Web:
    """What the routes share: content, data, sessions, warm renderers and running batches."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.store = CachedContentStore(settings.content_root)
        self.data = DataFolder(settings.data_dir)
        self.users = UserStore(self.data, settings.passwords, settings.clock)
        self.sessions = SessionStore(
            self.data, settings.session_lifetime, settings.session_idle, settings.clock
        )
        # Password checks at once; the rest wait without holding a thread, so
        # everything else keeps the thread pool while thirty people sign in,
        # and addresses with recent wrong passwords wait behind all others.
        self.password_lanes = PasswordLanes(
            HASHING_AT_ONCE, FAILING_HASHING_AT_ONCE, FAILING_WAITING
        )
        self.history = History(self.data)
        # The one record of handouts given, shared with the command line; its
        # clock is the sessions' clock, so a test moves both at once.
        clock = settings.clock
        self.ledger = service.open_ledger(
            {"HANDOUTS_DATA": str(settings.data_dir)},
            lambda: dt.datetime.fromtimestamp(clock(), dt.UTC),
        )
        self.history.ledger = self.ledger  # one ledger for every route
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
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from . import problems
    from .routes import account, batch, follow_ups, handout, history, signature, signin
    from .routes import settings as settings_page

    web = Web(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        web.handouts.start()
        # Follow-ups go out while the server runs, when it can send email at all.
        sender = None
        if settings.environ.get("HANDOUTS_SMTP_HOST"):
            from ..follow_ups.background import send_forever

            sender = asyncio.create_task(
                send_forever(settings.data_dir, web.store, settings.environ)
            )
        try:
            yield
        finally:
            if sender is not None:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sender
            web.handouts.close()

    routes = [
        *signin.routes,
        *account.routes,
        *handout.routes,
        *batch.routes,
        *history.routes,
        *settings_page.routes,
        *follow_ups.routes,
        *signature.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            # Outermost, so every later step sees the client's own address.
            *(
                [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))]
                if settings.trusted_proxies
                else []
            ),
            Middleware(SecurityHeaders),
            Middleware(QuietErrors),
            Middleware(BodyLimit),
        ],
        lifespan=lifespan,
        exception_handlers={**signin.exception_handlers, **problems.exception_handlers},
    )
    app.state.web = web
    return app
