"""Tests for handouts.batch."""
