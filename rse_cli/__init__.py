"""rse: a terminal toolbox for the champions of an enterprise social network."""

__version__ = "0.1.0"
