"""Shared kernel: money, calendar, audit, permissions, forms. Knows no domain package."""
