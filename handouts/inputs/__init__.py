"""What people type or export, read into values the library works with."""
