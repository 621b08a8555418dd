"""Deliver: a finished handout to a file, an email, or a printer.

``files`` writes privately and atomically, ``mail`` speaks SMTP and writes
``.eml`` files, ``printing`` hands PDFs to CUPS, ``channels`` fits a handout to
each. What was delivered to whom is the ledger's (``handouts.records``).
"""
