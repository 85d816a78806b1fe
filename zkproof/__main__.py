"""`python -m zkproof ...` is the `zkproof` console script (zkproof.cli)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
