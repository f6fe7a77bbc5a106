"""The product's version: the one place it is written (pyproject and the extension read it)."""

__version__ = "0.1.0"
