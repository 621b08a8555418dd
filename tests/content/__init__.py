"""Tests for handouts.content."""
