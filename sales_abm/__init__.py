"""sales_abm: incentive contracts in outsourced B2B sales, as an agent-based model."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sales_abm")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
