"""The installed package's version (recorded in every result's provenance)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("commitsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
