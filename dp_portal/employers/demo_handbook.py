"""Demo data for the PA Employer Handbook: the default sections, published (the demo builder
calls demo_handbook(); it needs nothing else and is safe to call twice)."""

from __future__ import annotations

from .handbook_defaults import load_defaults


def demo_handbook() -> list[str]:
    """Load the default handbook sections; returns the slugs added."""
    return load_defaults()
