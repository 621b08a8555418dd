"""Scripts and helpers for working on the project (pictures for the guide, a live server);
none of it ships in the wheel."""
