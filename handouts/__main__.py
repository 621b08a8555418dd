"""``python -m handouts``: the same as the ``handouts`` command."""

from .cli import run

run()
