"""`python -m zkproof ...` is the `zkproof` console script (zkproof.cli)."""
import sys

from .cli import entry

if __name__ == "__main__":
    sys.exit(entry())
