"""Progress bars for long work, and the switch that silences them.

`progress(iterable, total=..., desc=...)` wraps an iterable in a tqdm bar on stderr when
stderr is a terminal, tqdm is installed, the work is long enough to be worth a bar
(`total` at least `min_total`) and nobody called `set_quiet(True)` (the command line's
`--quiet`); otherwise it returns the iterable unchanged, so library code can wrap any
loop without caring where it runs. Bars appear only after ~2 s (tqdm's `delay`), so short
work prints nothing even on a terminal.
"""
from __future__ import annotations

import sys
from typing import Iterable, Optional

_quiet = False


def set_quiet(quiet: bool) -> None:
    """Silence (True) or allow (False) every progress bar of this process."""
    global _quiet
    _quiet = bool(quiet)


def enabled() -> bool:
    if _quiet:
        return False
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress(iterable: Iterable, total: Optional[int] = None, desc: str = "", min_total: int = 2,
             unit: str = "it"):
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if (total is not None and total < min_total) or not enabled():
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr, delay=2.0,
                leave=False, dynamic_ncols=True)
