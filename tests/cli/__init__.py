"""Tests for handouts.cli."""
