"""Commands that plug into ``handouts.cli.main``, one module per feature."""
