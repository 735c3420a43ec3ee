"""WhatsApp Cloud API doctor: diagnose a Cloud API setup and explain how to fix it."""

__version__ = "0.1.0"
"""The one place the version is written (``pyproject.toml`` reads it from here): reading it
from the installed metadata instead cost 50 ms before a diagnosis' first request."""
