from cups_fixture import cups_queue

__all__ = ["cups_queue"]
