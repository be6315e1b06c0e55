"""Fixtures for the CRM round-trip tests."""
