"""The languages townhall speaks (CONTRACT §10), by their own names; the first is the
language its messages are written in. The catalogs are in locale/ (i18n.py)."""

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}
SOURCE = "en"
