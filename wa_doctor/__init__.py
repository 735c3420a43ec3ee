"""WhatsApp Cloud API doctor: diagnose a Cloud API setup and explain how to fix it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wa-doctor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
