"""The sizes a vendor sells: none, or a minimum plus whole increments."""

from __future__ import annotations

import math
from typing import Any


class Lattice:
    """Allowed sizes ``{0} U {minimum + k * increment}``."""

    def __init__(self, minimum: float, increment: float) -> None:
        if not (math.isfinite(minimum) and minimum >= 0):
            raise ValueError(f"minimum must be finite and >= 0, got {minimum!r}")
        if not (math.isfinite(increment) and increment > 0):
            raise ValueError(f"increment must be finite and > 0, got {increment!r}")
        self.minimum, self.increment = minimum, increment

    def at(self, k: int) -> float:
        """The ``k``-th allowed non-zero size (``k >= 0``); with minimum 0, ``k = 0`` is 0."""
        return self.minimum + k * self.increment

    def below(self, c: float) -> float:
        """Largest allowed size at or below ``c``."""
        if c < self.minimum:
            return 0.0
        return self.at(math.floor((c - self.minimum) / self.increment + 1e-9))

    def above(self, c: float) -> float:
        """Smallest allowed size at or above ``c``."""
        if c <= 0:
            return 0.0
        if c <= self.minimum:
            return self.minimum
        return self.at(math.ceil((c - self.minimum) / self.increment - 1e-9))

    def first(self, ok: Any, hi: float) -> float | None:
        """Smallest allowed size in ``[0, hi]`` where the non-decreasing predicate ``ok`` holds."""
        if ok(0.0):
            return 0.0
        lo_k, hi_k = 0, max(0, math.ceil((hi - self.minimum) / self.increment))
        if not ok(self.at(hi_k)):
            return None
        while lo_k < hi_k:
            mid = (lo_k + hi_k) // 2
            if ok(self.at(mid)):
                hi_k = mid
            else:
                lo_k = mid + 1
        return self.at(lo_k)
