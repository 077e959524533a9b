"""townhall: real-time facilitation for the day of a citizens' assembly."""

__version__ = "0.1.0"
