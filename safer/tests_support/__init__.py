"""Helpers for the test suite only; nothing here is imported by the running service."""
