"""The follow-up tests' real SMTP server (tests/support/inbox.py)."""

from tests.support.inbox import smtp

__all__ = ["smtp"]
