"""The shipped trained models (package data): ``fast/`` (default) and ``accurate/``, with MODEL_CARD.md."""
