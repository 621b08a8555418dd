"""Clinic-branded, personalised aftercare handouts: YAML in, printable PDF out."""
