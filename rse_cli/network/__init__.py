"""How rse talks to an internal network: one protocol (base.py), one HTTP chokepoint, connectors."""
