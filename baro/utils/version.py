"""The package version, in the lowest layer so that saving can record it."""

__version__ = "0.1.0"


def version() -> str:
    """baro's version string."""
    return __version__
