#!/usr/bin/env python3
"""Work per handout, counted in instructions so that machine load does not matter.

    python bench/render_cost.py            # runs itself under valgrind, prints a table

Each case renders the same two handouts 1 and then 4 times, each in its own
process under ``valgrind --tool=callgrind``; the difference between the two
totals, divided by the extra renders, is the cost of one handout without the
start-up. Takes about 5 minutes (valgrind slows Python ~50x).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("ours", "ours-untagged", "naive")
HANDOUTS = ("micropenning", "microneedling")


def render(case: str, times: int) -> None:
    from weasyprint import HTML

    from handouts.content.store import ContentStore
    from handouts.render.page import render_html, render_standalone_html, resolve_spec
    from handouts.render.pdf import PdfRenderer

    content = ContentStore(ROOT)
    requests = [
        resolve_spec(content, protocol, None, "Sam Lee", dt.date(2026, 11, 22))
        for protocol in HANDOUTS
    ]
    if case == "naive":
        pages = [
            (render_standalone_html(r), r.clinic_dir.resolve().as_uri() + "/") for r in requests
        ]
        for _ in range(times):
            for html, base in pages:
                HTML(string=html, base_url=base).write_pdf()
        return
    maker = PdfRenderer()
    for _ in range(times):
        for request in requests:
            if case == "ours":
                maker.render(request)
            else:  # the same, without the screen-reader tags (a bench may use internals)
                html = render_html(request)
                document = HTML(
                    string=html,
                    base_url=request.clinic_dir.resolve().as_uri() + "/",
                    url_fetcher=maker._fetcher(request),
                )
                document.write_pdf(
                    stylesheets=maker._stylesheets(request),
                    font_config=maker.font_config,
                )
    maker.close()


def instructions(case: str, times: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        result = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--child",
                case,
                str(times),
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    match = re.search(r"Collected : (\d+)", result.stderr)
    if match is None:
        raise SystemExit(f"valgrind gave no count:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        render(sys.argv[2], int(sys.argv[3]))
        return
    print("| case          | instructions per handout | vs naive |")
    print("|---------------|-------------------------:|---------:|")
    per = {}
    for case in (*CASES[2:], *CASES[:2]):
        extra = (instructions(case, 4) - instructions(case, 1)) / (3 * len(HANDOUTS))
        per[case] = extra
        print(f"| {case:<13} | {extra / 1e9:21.3f} G | {per['naive'] / extra:7.2f}x |", flush=True)


if __name__ == "__main__":
    main()
