"""The command line: thin click wiring over ``handouts.service``."""

from .main import main, run

__all__ = ["main", "run"]
