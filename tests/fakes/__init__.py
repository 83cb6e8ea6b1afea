"""Fake networks for the tests: in-memory (memory.py) and HTTP fakes of networks that cannot run here."""
