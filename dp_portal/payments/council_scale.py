"""Helpers for the steps that touch every account of a council at once (building, committing
and paying a run): insert_tuples and cycle_collector_paused, now kept in core/bulk.py (where
their reasons are) and named here for the modules that import them from payments.
"""

from __future__ import annotations

from ..core.bulk import cycle_collector_paused, insert_tuples

__all__ = ["cycle_collector_paused", "insert_tuples"]
