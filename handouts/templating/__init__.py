"""Templating: the sandboxed Jinja environment handouts are written in.

``templates`` builds the environment and finds a clinic's templates,
``template_cache`` keeps compiled templates, ``catalogs`` holds the gettext
catalogs for template wording, ``resource_policy`` says what a template or
stylesheet may load.
"""
