"""Models and dates to HTML, through the templates a clinic can override.

Every fixed wording of the page lives in the templates and is translated by
the catalog of the protocol's language; dates and lists are written that
language's way by Babel. Patient text is only ever passed to templates as
data, and autoescaping makes it inert HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jinja2
from babel.lists import format_list
from markupsafe import Markup, escape

from ..content.bundled import BUILTIN_TEMPLATES
from ..content.combining import Course, PractitionerWords, apply_changes, combine, courses
from ..content.models import Branding, Phase, Protocol, RegimenStep, Results, Rule, Series
from ..content.store import ContentStore
from ..errors import InputError
from ..inputs.limits import check_name
from ..inputs.names import clean_name
from ..templating.catalogs import babel_locale, text_direction
from ..templating.resource_policy import clinic_file
from ..templating.templates import template_environment, template_source
from .dates import clock_day_formatter, clock_formatter, date_formatter
from .qr import clinic_qr_codes
from .schedule import (
    DatedPhase,
    DatedRule,
    ResultsWindow,
    Schedule,
    SeriesPlan,
    build_schedule,
    course_dates,
    rules_in_force,
)

# Which CJK face draws Han characters the way a reader of the page's language
# expects; Simplified Chinese otherwise.
_CJK_FONTS = {
    "ja": "Noto Sans CJK JP",
    "ko": "Noto Sans CJK KR",
    "zh_TW": "Noto Sans CJK TC",
    "zh_HK": "Noto Sans CJK HK",
    "zh_Hant": "Noto Sans CJK TC",
}
_DEFAULT_CJK_FONT = "Noto Sans CJK SC"


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
    words: PractitionerWords | None = None  # the practitioner's own, for this patient
    # Rules whose span the practitioner set, as (topic, the protocol's own rule).
    replaced: tuple[tuple[str, Rule], ...] = ()
    variant: str | None = None  # the variant's id, already applied to ``protocol``
    # A booked next visit replaces the suggested dates (page, email, calendar).
    next_visit: dt.date | None = None
    next_visit_time: dt.time | None = None
    also: tuple[str, ...] = ()  # the ids of the procedures combined into ``protocol``
    # Each combined procedure's own series and results (empty: only ``protocol``'s).
    courses: tuple[Course, ...] = ()

    @property
    def protocol_ids(self) -> tuple[str, ...]:
        """The id of every protocol file this handout is made from, the main one first."""
        if not self.also:
            return (self.protocol.id,)
        return (self.protocol.id.split("+", 1)[0], *self.also)

    @property
    def language(self) -> str:
        return self.protocol.language

    @property
    def environment(self) -> jinja2.Environment:
        return template_environment(
            self.root_templates, self.clinic_dir / "templates", self.language
        )

    @property
    def allowed_folders(self) -> tuple[Path, ...]:
        """The folders this handout's page, stylesheets and logo may load files from."""
        root = (
            (self.root_templates,) if self.root_templates and self.root_templates.is_dir() else ()
        )
        return (self.clinic_dir, *root, BUILTIN_TEMPLATES)


def list_formatter(
    language: str, style: Literal["standard", "or"]
) -> Callable[[list[str]], Markup]:
    """Join items the language's way: "A, B and C", "A o B" (``style`` "standard" or "or")."""
    locale = babel_locale(language)

    def join(items: list[str]) -> Markup:
        # Items are escaped here, so the joined text can go into HTML as it is.
        return Markup(format_list([str(escape(item)) for item in items], style, locale))

    return join


def cjk_font(language: str) -> str:
    locale = babel_locale(language)
    for key in (f"{locale.language}_{locale.territory}", f"{locale.language}_{locale.script}"):
        if key in _CJK_FONTS:
            return _CJK_FONTS[key]
    return _CJK_FONTS.get(locale.language, _DEFAULT_CJK_FONT)


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
    was: Rule | None = None  # the protocol's own rule, when the practitioner set its span

    @property
    def changed(self) -> bool:
        return self.was is not None


def phase_views(protocol: Protocol, schedule: Schedule | None) -> list[PhaseView]:
    return [
        PhaseView(
            phase,
            schedule.phases[index] if schedule else None,
            rules_in_force(phase, protocol.rules, schedule),
        )
        for index, phase in enumerate(protocol.phases)
    ]


def rule_views(
    protocol: Protocol, schedule: Schedule | None, replaced: dict[str, Rule] | None = None
) -> list[RuleView]:
    replaced = replaced or {}
    return [
        RuleView(
            rule,
            schedule.rules[index] if schedule else None,
            replaced.get(rule.topic) if rule.topic else None,
        )
        for index, rule in enumerate(protocol.rules)
    ]


@dataclass(frozen=True)
class PlanView:
    """One treatment plan as the page shows it, with its dates (None on a blank)."""

    procedure: str | None  # named on a handout of several procedures
    series: Series | None
    results: Results | None
    series_dates: SeriesPlan | None
    results_dates: ResultsWindow | None


def plan_views(spec: HandoutSpec, schedule: Schedule | None) -> list[PlanView]:
    """The handout's treatment plans: its protocol's, or each combined procedure's."""
    if not spec.courses:
        protocol = spec.protocol
        series_dates = schedule.series if schedule else None
        results_dates = schedule.results if schedule else None
        return [PlanView(None, protocol.series, protocol.results, series_dates, results_dates)]
    views = []
    for course in spec.courses:
        dates: tuple[SeriesPlan | None, ResultsWindow | None] = (None, None)
        if spec.procedure_date is not None:
            dates = course_dates(course.series, course.results, spec.procedure_date)
        views.append(PlanView(course.procedure, course.series, course.results, *dates))
    return views


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
    phases = phase_views(protocol, schedule)
    rules = rule_views(protocol, schedule, dict(spec.replaced))
    return {
        "words": spec.words if spec.words is not None and not spec.words.empty else None,
        "clinic": clinic,
        "protocol": protocol,
        "patient_name": spec.patient_name,
        "procedure_date": spec.procedure_date,
        "procedure_time": spec.procedure_time if spec.procedure_date else None,
        "qr_codes": clinic_qr_codes(clinic),
        "next_visit": spec.next_visit,
        "next_visit_time": spec.next_visit_time,
        "schedule": schedule,
        "plans": plan_views(spec, schedule),
        # Whatever starts before the procedure day goes under its own heading.
        "warning_signs": protocol.warning_signs,
        "phases_before": [view for view in phases if view.phase.first_day < 0],
        "phases_after": [view for view in phases if view.phase.first_day >= 0],
        "rules_before": [view for view in rules if view.rule.before_procedure],
        "rules_after": [view for view in rules if not view.rule.before_procedure],
        "logo_url": clinic.logo,
        "products": {step.id: product_for(step, clinic) for step in steps},
        "direction": text_direction(spec.language),
        "long_date": date_formatter(clinic.date_style, spec.language, "long"),
        "short_date": date_formatter(clinic.date_style, spec.language, "short"),
        "short_date_year": date_formatter(clinic.date_style, spec.language, "short_year"),
        "day_date": clock_day_formatter(clinic.date_style, spec.language, spec.procedure_date),
        "clock": clock_formatter(spec.language),
        "and_list": list_formatter(spec.language, "standard"),
        "or_list": list_formatter(spec.language, "or"),
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
    return template.render(clinic=clinic, font_files=font_files, cjk_font=cjk_font(spec.language))


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
    language: str | None = None,
    *,
    also: Sequence[str] = (),
    variant: str | None = None,
    words: PractitionerWords | None = None,
    next_visit: dt.date | None = None,
    next_visit_time: dt.time | None = None,
) -> HandoutSpec:
    """Look up a protocol (in ``language``, else its own) and clinic by id
    (the default clinic without one).

    ``also`` adds more procedures of the same visit to one handout, ``variant``
    picks one of the first protocol's variants, and ``words`` carries what the
    practitioner says for this patient, including rules whose span they set.
    """
    clinic = store.clinic(clinic_id)
    protocol = store.protocol(protocol_id, language)
    if variant:
        try:
            protocol = protocol.with_variant(variant)
        except KeyError as error:
            raise InputError(str(error.args[0])) from None
    plans: tuple[Course, ...] = ()
    if also:
        others = [store.protocol(other, protocol.language) for other in also]
        also = tuple(other.id for other in others)
        plans = courses([protocol, *others])
        protocol = combine([protocol, *others])
    replaced: tuple[tuple[str, Rule], ...] = ()
    if words is not None and words.changes:
        try:
            changed, topics = apply_changes(protocol, words.changes)
        except KeyError as error:
            raise InputError(f"--set: {error.args[0]}") from None
        replaced = tuple((r.topic, r) for r in protocol.rules if r.topic in topics and r.topic)
        protocol = changed
    return HandoutSpec(
        clinic=clinic.in_language(protocol.language),
        clinic_dir=store.clinic_dir(clinic.id),
        protocol=protocol,
        root_templates=store.templates_dir,
        patient_name=check_name(clean_name(patient_name)),  # bounds layout time
        procedure_date=procedure_date,
        procedure_time=procedure_time,
        words=words,
        replaced=replaced,
        variant=variant or None,
        next_visit=next_visit,
        next_visit_time=next_visit_time if next_visit else None,
        also=tuple(also),
        courses=plans,
    )
