"""Employees: logging in and out."""
