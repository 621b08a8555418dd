"""Content: protocol and branding YAML files, read into validated models.

``models`` defines them, ``yaml_loading`` reads a file with ``file:line:col``
errors, ``store`` finds files in a content root (``lookup`` matches the names
people use: id, name or title, aliases), ``import_profiles`` describes booking
systems' exports, ``schema`` writes JSON Schemas for editors, ``readability`` grades
the patient-facing text, ``starter`` writes a new content folder. Checking a
whole root is ``handouts.validate`` (it renders each clinic's page once).
"""
