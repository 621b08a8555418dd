#!/usr/bin/env python3
"""Command-line entry: ``python generate.py --help``. The same as the ``handouts`` command."""

from handouts.cli import run

if __name__ == "__main__":
    run()
