"""ehdocs: Early Help documents generated from one set of form definitions."""

# The field types join the schema's registry when ehdocs.fields is imported; importing it here
# means a FormSet can be loaded whatever module a program starts from, without the schema
# package importing ehdocs.fields (which is built on the schema).
import ehdocs.fields  # noqa: F401

__version__ = "0.1.0"
