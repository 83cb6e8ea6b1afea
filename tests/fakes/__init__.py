"""Fakes of networks that cannot run inside the test suite (Viva Engage: Microsoft's cloud only)."""
