"""Finding a clinic or protocol by the name people use for it.

Staff type "Harbourside", "MAGNOLIA DERMATOLOGY & LASER" or "micro-needling";
booking systems export "SkinPen Microneedling". Each clinic and protocol
answers to its id, its name or title, and the ``aliases`` in its YAML,
compared without case, accents, punctuation or spacing ("&" reads as "and").
A name two things answer to is refused with both named, never guessed, with
one exception: a service name listed among the ``aliases`` of several
protocols ("Microneedling with PRP" in microneedling.yaml and in
prp-injections.yaml) names them together, for one handout of them all
(``find_together``). A protocol's own id, title or procedure always names
that protocol alone, so ``validate`` refuses it as another protocol's alias.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import NotFound


def name_key(text: str) -> str:
    """What is left of a name once case, accents, punctuation and spacing are gone."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


@dataclass(frozen=True)
class Known:
    """One clinic or protocol and every name it answers to."""

    ident: str
    label: str  # its name or title, to show when naming it
    names: tuple[str, ...]  # its own: the id, name or title, procedure
    aliases: tuple[str, ...] = ()  # the other names its file lists

    def answers_to(self, key: str) -> bool:
        return self.own_name(key) or any(name_key(alias) == key for alias in self.aliases)

    def own_name(self, key: str) -> bool:
        return any(name_key(name) == key for name in self.names)


class Ambiguous(NotFound):
    """A name that two clinics or two protocols answer to."""


def find(wanted: str, known: Iterable[Known], kind: str) -> str:
    """The id of the one ``kind`` that answers to ``wanted``, or a clear refusal.

    An exact id always wins, so an id can never be shadowed by another's alias.
    A name several protocols share as an alias is refused here too, naming them:
    only ``find_together``'s callers make one handout of several.
    """
    candidates = list(known)
    matches = _matching(wanted, candidates, kind)
    if len(matches) == 1:
        return matches[0].ident
    raise _ambiguous(wanted, matches, kind)


def find_together(wanted: str, known: Iterable[Known], kind: str) -> tuple[str, ...]:
    """The id of the one ``kind`` that answers to ``wanted``, or the ids of the several
    whose ``aliases`` all list it (in the order given), or a clear refusal."""
    return tuple(m.ident for m in _matching(wanted, list(known), kind))


def _matching(wanted: str, candidates: list[Known], kind: str) -> list[Known]:
    """What answers to ``wanted``: one thing, or several that list it as an alias each."""
    exact = [item for item in candidates if item.ident == wanted]
    if exact:
        return exact
    key = name_key(wanted)
    matches = [item for item in candidates if key and item.answers_to(key)]
    if len(matches) == 1 or (matches and not any(m.own_name(key) for m in matches)):
        return matches
    if matches:
        raise _ambiguous(wanted, matches, kind)
    base = without_qualifier(wanted)
    if base != wanted:
        # "Botox - Forehead", "Botox (20 units)": booking systems add the area or amount.
        try:
            return _matching(base, candidates, kind)
        except Ambiguous:
            raise
        except NotFound:
            pass
    raise not_found(wanted, candidates, kind)


def _ambiguous(wanted: str, matches: list[Known], kind: str) -> Ambiguous:
    both = " and ".join(f"'{m.ident}' ({m.label})" for m in matches)
    return Ambiguous(f"'{wanted}' could be the {kind} {both}; use the id of the one you mean.")


_QUALIFIER = re.compile(r"\s+[-\u2013\u2014:|]\s+|\s*[(\[]")


def without_qualifier(name: str) -> str:
    """A service name without what a booking system adds after it: " - Forehead", " (20 units)"."""
    base = _QUALIFIER.split(name, maxsplit=1)[0].strip()
    return base or name


def closest(wanted: str, known: Iterable[Known], cutoff: float = 0.5) -> str | None:
    """The id of the thing with a name most like ``wanted``, if any is alike enough."""
    by_key = {name_key(name): item.ident for item in known for name in (*item.names, *item.aliases)}
    close = difflib.get_close_matches(name_key(wanted), list(by_key), n=1, cutoff=cutoff)
    return by_key[close[0]] if close else None


def not_found(wanted: str, known: list[Known], kind: str) -> NotFound:
    """ "Unknown protocol 'x'", with the closest name and the ids there are."""
    close = closest(wanted, known)
    hint = f" Did you mean '{close}'?" if close else ""
    ids = [item.ident for item in known]
    listing = f" Known {kind}s: {', '.join(ids)}." if ids else f" There are no {kind}s yet."
    return NotFound(f"Unknown {kind} '{wanted}'.{hint}{listing}")


@dataclass(frozen=True)
class SharedName:
    """An alias that also names another clinic or protocol (or the same one twice)."""

    ident: str
    alias_index: int
    alias: str
    other: str  # the other one's id
    own_name: bool = False  # it is the other's own id, name, title or procedure


def shared_aliases(
    known: Iterable[Known], aliases: dict[str, list[str]], *, together: bool = False
) -> list[SharedName]:
    """Aliases that would make a name ambiguous, for ``validate`` to refuse.

    ``aliases`` maps each id to its own aliases, in file order. With
    ``together`` (protocols), an alias that others list as an alias too is
    no problem: it names them together. It still may not be another's own name.
    """
    items = list(known)
    found = []
    for ident, own in aliases.items():
        seen: dict[str, int] = {}
        for index, alias in enumerate(own):
            key = name_key(alias)
            if key in seen:
                found.append(SharedName(ident, index, alias, ident))
                continue
            seen[key] = index
            for other in items:
                if other.ident == ident or not other.answers_to(key):
                    continue
                if other.own_name(key):
                    found.append(SharedName(ident, index, alias, other.ident, own_name=True))
                elif not together:
                    found.append(SharedName(ident, index, alias, other.ident))
    return found


def named_together(aliases: dict[str, list[str]]) -> dict[str, list[tuple[str, int]]]:
    """Each alias (by its key) that several ids list, with (id, position) of each listing."""
    listings: dict[str, list[tuple[str, int]]] = {}
    for ident, own in aliases.items():
        keys: set[str] = set()
        for index, alias in enumerate(own):
            key = name_key(alias)
            if key and key not in keys:
                keys.add(key)
                listings.setdefault(key, []).append((ident, index))
    return {key: found for key, found in listings.items() if len(found) > 1}
