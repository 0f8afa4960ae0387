"""Employees, their roles, API keys of the online store, the audit history."""
