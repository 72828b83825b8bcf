"""ehdocs: Early Help documents generated from one set of form definitions."""

__version__ = "0.1.0"
