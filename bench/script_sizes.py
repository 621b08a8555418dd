#!/usr/bin/env python3
"""What a patient's name in another script adds to a handout's PDF.

The fallback fonts behind the clinic's font are embedded as subsets of the
glyphs used, so a name in Chinese or Thai should add the few glyphs it needs,
not a whole font (Noto Sans CJK is 19 MB). One personalised micropenning
handout per script, same clinic and date; the table gives each PDF's size,
what the name adds over a Latin name, the ratio, and the fonts embedded.

Usage: .venv/bin/python bench/script_sizes.py [--clinic harbourside]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io

from pypdf import PdfReader

from handouts.content.bundled import BUNDLED_ROOT
from handouts.content.store import ContentStore
from handouts.render.page import resolve_spec
from handouts.render.pdf import shared_renderer

NAMES = {
    "Latin": "Zoë O'Brien-Núñez",
    "Chinese": "王小明",
    "Japanese": "山田 さくら",
    "Korean": "김민준",
    "Arabic": "محمد علي",
    "Hebrew": "דוד כהן",
    "Thai": "ธนา ศรีสุข",
    "Devanagari": "प्रिया शर्मा",
    "Greek": "Αλέξης Παππάς",
    "Cyrillic": "Алексей Иванов",
    "Emoji": "Zoë 🌸",
}


def fonts(pdf: bytes) -> list[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for reference in page["/Resources"]["/Font"].values():
            names.add(str(reference.get_object()["/BaseFont"]).split("+", 1)[-1])
    return sorted(names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinic", default="harbourside")
    clinic = parser.parse_args().clinic
    store = ContentStore(BUNDLED_ROOT)
    renderer = shared_renderer()
    sizes = {}
    for script, name in NAMES.items():
        spec = resolve_spec(store, "micropenning", clinic, name, dt.date(2026, 11, 23))
        pdf, _ = renderer.render(spec)
        sizes[script] = (len(pdf), fonts(pdf))
    latin = sizes["Latin"][0]
    print(f"{'script':<11} {'PDF bytes':>10} {'added':>8} {'ratio':>6}  fonts embedded (subsets)")
    for script, (size, names) in sizes.items():
        own = [n for n in names if not n.startswith(sizes["Latin"][1][0].split("-")[0])]
        print(
            f"{script:<11} {size:>10,} {size - latin:>+8,} {size / latin:>6.2f}  {', '.join(own)}"
        )


if __name__ == "__main__":
    main()
