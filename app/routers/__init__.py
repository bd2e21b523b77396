"""One router per concern: ``api`` (JSON endpoints), ``health``, ``pages``."""
