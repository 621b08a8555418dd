"""Render: a protocol and a date become a schedule, an HTML page, and a PDF.

``schedule`` dates every phase, ``templates`` is the one place templates are
found (clinic override, content root, built-in), ``page`` fills them in,
``pdf`` is the only module that imports WeasyPrint, and ``resource_policy``
decides which files a page may load.
"""
