"""Models and dates to HTML, through Jinja2 templates a clinic can override.

Every fixed wording of the page lives in the templates, so a translated
protocol needs translated templates, not code changes. Patient text is only
ever passed to templates as data, and autoescaping makes it inert HTML.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date

from .content import Content
from .models import Branding, Protocol
from .resources import clinic_file
from .schedule import Schedule, build_schedule

# Babel patterns per branding date style: US "Monday, November 23, 2026",
# elsewhere "Monday 23 November 2026".
_DATE_PATTERNS = {
    "us": {"long": "EEEE, MMMM d, y", "short": "EEE, MMM d", "short_year": "EEE, MMM d, y"},
    "day-month": {"long": "EEEE d MMMM y", "short": "EEE d MMM", "short_year": "EEE d MMM y"},
}


@dataclass(frozen=True)
class HandoutRequest:
    """Everything one handout is made from."""

    clinic: Branding
    clinic_dir: Path
    protocol: Protocol
    templates_dir: Path
    patient_name: str | None = None
    procedure_date: dt.date | None = None


def clean_name(text: str | None) -> str | None:
    """A name on one line: control characters and runs of white space become one space.

    Booking-system exports carry tabs and line breaks; they have no place on a
    page or in a file name. Format characters (joiners, direction marks) stay,
    as names in some scripts and emoji need them.
    """
    if not text:
        return None
    spaced = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(spaced.split()) or None


def make_request(
    content: Content,
    protocol_id: str,
    clinic_id: str | None = None,
    patient_name: str | None = None,
    procedure_date: dt.date | None = None,
) -> HandoutRequest:
    clinic = content.clinic(clinic_id)
    name = clean_name(patient_name)
    return HandoutRequest(
        clinic=clinic,
        clinic_dir=content.clinic_dir(clinic.id),
        protocol=content.protocol(protocol_id),
        templates_dir=content.templates_dir,
        patient_name=name or None,
        procedure_date=procedure_date,
    )


def date_formatter(style: str, language: str, kind: str):
    pattern = _DATE_PATTERNS[style][kind]

    def format_(value: dt.date) -> str:
        return format_date(value, format=pattern, locale=language)

    return format_


@cache
def template_environment(templates_dir: Path, override_dir: Path | None) -> jinja2.Environment:
    """One environment per (templates, clinic override) pair, reused in a process.

    A clinic's ``templates/`` folder is searched first, so dropping one file
    there replaces just that part of the page.
    """
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.FileSystemLoader(templates_dir))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )


def environment_for(request: HandoutRequest) -> jinja2.Environment:
    return template_environment(request.templates_dir, request.clinic_dir / "templates")


def product_for(step: Any, clinic: Branding) -> dict[str, Any]:
    """The clinic's own product for a regimen step, and the protocol's.

    Both are shown: the clinic's is what it stocks, the protocol's is what the
    reviewed instructions name, and neither may silently drop the other.
    """
    return {"own": clinic.products.get(step.id), "named": list(step.products)}


def page_context(request: HandoutRequest) -> dict[str, Any]:
    clinic, protocol = request.clinic, request.protocol
    schedule: Schedule | None = None
    if request.procedure_date is not None:
        schedule = build_schedule(protocol, request.procedure_date)
    clinic_file(request.clinic_dir, clinic.logo, "logo")  # fail early, with the field named
    return {
        "clinic": clinic,
        "protocol": protocol,
        "patient_name": request.patient_name,
        "procedure_date": request.procedure_date,
        "schedule": schedule,
        "logo_url": clinic.logo,
        "products": {step.id: product_for(step, clinic) for step in _steps(protocol)},
        "long_date": date_formatter(clinic.date_style, protocol.language, "long"),
        "short_date": date_formatter(clinic.date_style, protocol.language, "short"),
        "short_date_year": date_formatter(clinic.date_style, protocol.language, "short_year"),
    }


def _steps(protocol: Protocol) -> list[Any]:
    return list(protocol.regimen.steps) if protocol.regimen else []


def render_html(request: HandoutRequest) -> str:
    """The handout page as HTML, without stylesheets (they are applied by pdf.py)."""
    template = environment_for(request).get_template("handout.html")
    return template.render(page_context(request))


def render_clinic_css(request: HandoutRequest) -> str:
    """The clinic's part of the stylesheet: paper, colours, fonts."""
    clinic = request.clinic
    font_files = {}
    if clinic.font.files is not None:
        for style, relative in clinic.font.files.model_dump(exclude_none=True).items():
            clinic_file(request.clinic_dir, relative, f"font.files.{style}")
            font_files[style] = relative
    template = environment_for(request).get_template("clinic.css")
    return template.render(clinic=clinic, font_files=font_files)


def stylesheet_path(request: HandoutRequest, name: str = "handout.css") -> Path:
    """The clinic's override of a stylesheet if it has one, else the shared one."""
    own = request.clinic_dir / "templates" / name
    return own if own.is_file() else request.templates_dir / name


def render_standalone_html(request: HandoutRequest) -> str:
    """The page with its stylesheets inlined, for viewing in a browser.

    ``<base>`` points at the clinic's folder so the logo and fonts resolve
    exactly as they do for the PDF.
    """
    styles = render_clinic_css(request) + "\n" + stylesheet_path(request).read_text("utf-8")
    styles = styles.replace("</", "<\\/")  # a stylesheet must not close the <style> element
    head = (
        f'<base href="{request.clinic_dir.resolve().as_uri()}/">\n'
        f"<style>\n{styles}\n</style>\n</head>"
    )
    return render_html(request).replace("</head>", head, 1)
