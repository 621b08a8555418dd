"""Deliver: a finished handout to a file, an email, or a printer.

``files`` writes privately and atomically, ``mail`` speaks SMTP and writes
``.eml`` files, ``printing`` hands PDFs to CUPS, ``channels`` fits a handout to
each, and ``journal`` remembers what a folder already delivered and to whom
(in SQLite; ``legacy_journal`` reads the older ``deliveries.csv`` once).
"""
