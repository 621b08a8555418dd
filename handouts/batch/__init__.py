"""Batch: a day's CSV to many handouts.

``rows`` reads the export (``columns`` recognises its column names, or an
import profile names them), ``plan`` turns rows into jobs, ``outcome`` holds the
typed result of each row, ``pool`` renders in worker processes, ``manifest``
records what was made, ``delivery`` emails and prints each row at most once,
and ``run`` ties them together for the service layer.
"""
