"""The SLA tests use ``world`` and ``default_policies`` from tests/conftest.py."""
