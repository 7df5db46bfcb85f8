"""Kept only for the packages that still import pricing from here (monitoring.services and
bench/returns.py); new code imports plans.load_plans and pricing.weekly_on. Remove once they
have moved."""

from .plans import load_plans
from .pricing import weekly_on

__all__ = ["load_plans", "weekly_on"]
