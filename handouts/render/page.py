"""Models and dates to HTML, through the templates a clinic can override.

Every fixed wording of the page lives in the templates, so a translated
protocol needs translated templates, not code changes. Patient text is only
ever passed to templates as data, and autoescaping makes it inert HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date, format_time

from ..content.bundled import BUILTIN_TEMPLATES
from ..content.models import Branding, Phase, Protocol, RegimenStep, Rule
from ..content.resource_policy import clinic_file
from ..content.store import ContentStore
from ..content.templates import template_environment, template_source
from ..inputs.names import clean_name
from .schedule import DatedPhase, DatedRule, Schedule, build_schedule, rules_in_force

# Babel patterns per branding date style: US "Monday, November 23, 2026",
# elsewhere "Monday 23 November 2026"; "day" is a date beside a clock time.
_DATE_PATTERNS = {
    "us": {
        "long": "EEEE, MMMM d, y",
        "short": "EEE, MMM d",
        "short_year": "EEE, MMM d, y",
        "day": "EEEE, MMMM d",
    },
    "day-month": {
        "long": "EEEE d MMMM y",
        "short": "EEE d MMM",
        "short_year": "EEE d MMM y",
        "day": "EEEE d MMMM",
    },
}


@dataclass(frozen=True)
class HandoutSpec:
    """Everything one handout is made from, resolved from ids to models and folders."""

    clinic: Branding
    clinic_dir: Path
    protocol: Protocol
    root_templates: Path | None  # the content root's templates/, which may not exist
    patient_name: str | None = None
    procedure_date: dt.date | None = None
    procedure_time: dt.time | None = None  # only hour rules use it

    @property
    def environment(self) -> jinja2.Environment:
        return template_environment(self.root_templates, self.clinic_dir / "templates")

    @property
    def allowed_folders(self) -> tuple[Path, ...]:
        """The folders this handout's page, stylesheets and logo may load files from."""
        root = (
            (self.root_templates,) if self.root_templates and self.root_templates.is_dir() else ()
        )
        return (self.clinic_dir, *root, BUILTIN_TEMPLATES)


def date_formatter(style: str, language: str, kind: str) -> Callable[[dt.date], str]:
    pattern = _DATE_PATTERNS[style][kind]

    def format_(value: dt.date) -> str:
        return format_date(value, format=pattern, locale=language)

    return format_


def clock_formatter(language: str) -> Callable[[dt.datetime | dt.time], str]:
    """ "2:30 pm": twelve-hour clock, the way aftercare sheets write times."""

    def format_(value: dt.datetime | dt.time) -> str:
        text = format_time(value, format="h:mm a", locale=language)
        return text.replace("AM", "am").replace("PM", "pm")

    return format_


@dataclass(frozen=True)
class PhaseView:
    """A phase as the page shows it: its dates (None on a blank) and the rules in force."""

    phase: Phase
    dated: DatedPhase | None
    rules: list[Rule]


@dataclass(frozen=True)
class RuleView:
    rule: Rule
    dated: DatedRule | None  # None on a blank handout


def phase_views(protocol: Protocol, schedule: Schedule | None) -> list[PhaseView]:
    return [
        PhaseView(
            phase,
            schedule.phases[index] if schedule else None,
            rules_in_force(phase, protocol.rules, schedule),
        )
        for index, phase in enumerate(protocol.phases)
    ]


def rule_views(protocol: Protocol, schedule: Schedule | None) -> list[RuleView]:
    return [
        RuleView(rule, schedule.rules[index] if schedule else None)
        for index, rule in enumerate(protocol.rules)
    ]


def product_for(step: RegimenStep, clinic: Branding) -> dict[str, Any]:
    """The clinic's own product for a regimen step, and the protocol's.

    Both are shown: the clinic's is what it stocks, the protocol's is what the
    reviewed instructions name, and neither may silently drop the other.
    """
    return {"own": clinic.products.get(step.id), "named": list(step.products)}


def page_context(spec: HandoutSpec) -> dict[str, Any]:
    clinic, protocol = spec.clinic, spec.protocol
    schedule: Schedule | None = None
    if spec.procedure_date is not None:
        schedule = build_schedule(protocol, spec.procedure_date, spec.procedure_time)
    clinic_file(spec.clinic_dir, clinic.logo, "logo")  # fail early, with the field named
    steps = protocol.regimen.steps if protocol.regimen else []
    phases, rules = phase_views(protocol, schedule), rule_views(protocol, schedule)
    return {
        "clinic": clinic,
        "protocol": protocol,
        "patient_name": spec.patient_name,
        "procedure_date": spec.procedure_date,
        "procedure_time": spec.procedure_time if spec.procedure_date else None,
        "schedule": schedule,
        # Whatever starts before the procedure day goes under its own heading.
        "phases_before": [view for view in phases if view.phase.first_day < 0],
        "phases_after": [view for view in phases if view.phase.first_day >= 0],
        "rules_before": [view for view in rules if view.rule.before_procedure],
        "rules_after": [view for view in rules if not view.rule.before_procedure],
        "logo_url": clinic.logo,
        "products": {step.id: product_for(step, clinic) for step in steps},
        "long_date": date_formatter(clinic.date_style, protocol.language, "long"),
        "short_date": date_formatter(clinic.date_style, protocol.language, "short"),
        "short_date_year": date_formatter(clinic.date_style, protocol.language, "short_year"),
        "day_date": date_formatter(clinic.date_style, protocol.language, "day"),
        "clock": clock_formatter(protocol.language),
    }


def render_html(spec: HandoutSpec, fit_tight: bool = False) -> str:
    """The handout page as HTML, without stylesheets (``pdf`` applies them).

    ``fit_tight`` marks the page for the stylesheet's tighter spacing, used
    when the normal spacing leaves a last page holding only the contact block.
    """
    context = page_context(spec)
    context["fit_tight"] = fit_tight
    return spec.environment.get_template("handout.html").render(context)


def render_clinic_css(spec: HandoutSpec) -> str:
    """The clinic's part of the stylesheet: paper, colours, fonts."""
    clinic = spec.clinic
    font_files = {}
    if clinic.font.files is not None:
        for style, relative in clinic.font.files.model_dump(exclude_none=True).items():
            clinic_file(spec.clinic_dir, relative, f"font.files.{style}")
            font_files[style] = relative
    template = spec.environment.get_template("clinic.css")
    return template.render(clinic=clinic, font_files=font_files)


def handout_stylesheet(spec: HandoutSpec) -> tuple[str, Path]:
    """The shared print stylesheet (or the clinic's replacement) and where it was found."""
    return template_source(spec.environment, "handout.css")


def render_standalone_html(spec: HandoutSpec) -> str:
    """The page with its stylesheets inlined, for viewing in a browser.

    ``<base>`` points at the clinic's folder so the logo and fonts resolve
    exactly as they do for the PDF.
    """
    styles = render_clinic_css(spec) + "\n" + handout_stylesheet(spec)[0]
    styles = styles.replace("</", "<\\/")  # a stylesheet must not close the <style> element
    head = (
        f'<base href="{spec.clinic_dir.resolve().as_uri()}/">\n<style>\n{styles}\n</style>\n</head>'
    )
    return render_html(spec).replace("</head>", head, 1)


def resolve_spec(
    store: ContentStore,
    protocol_id: str,
    clinic_id: str | None = None,
    patient_name: str | None = None,
    procedure_date: dt.date | None = None,
    procedure_time: dt.time | None = None,
) -> HandoutSpec:
    """Look up a protocol and clinic by id (the default clinic without one)."""
    clinic = store.clinic(clinic_id)
    return HandoutSpec(
        clinic=clinic,
        clinic_dir=store.clinic_dir(clinic.id),
        protocol=store.protocol(protocol_id),
        root_templates=store.templates_dir,
        patient_name=clean_name(patient_name),
        procedure_date=procedure_date,
        procedure_time=procedure_time,
    )
