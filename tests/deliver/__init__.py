"""Tests for handouts.deliver."""
