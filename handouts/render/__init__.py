"""Render: a protocol and a date become a schedule, an HTML page, and a PDF.

``schedule`` dates every phase, ``dates`` writes dates and times the page's
language's way, ``page`` fills the templates in (found and sandboxed by
``handouts.templating``), ``pdf`` is the only module that imports WeasyPrint,
``made`` turns a request into what a handout is made from and holds the
finished handout, ``warm`` keeps renderer processes ready between requests.
"""
