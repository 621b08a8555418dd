"""Tests for handouts.render."""
