"""Named exceptions. Every user-facing failure is one of these, never a bare traceback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located problem in a scenario file.

    Attributes
    ----------
    file : str
        Path of the file as the user named it.
    line : int
        1-based line of the offending key or item (0 when unknown).
    path : str
        Dotted path of the field, e.g. ``levers.0.effect.high``.
    message : str
        What is wrong, in plain words.
    value : object
        The offending value, shown as ``(got VALUE)``; ``None`` hides it.
    """

    file: str
    line: int
    path: str
    message: str
    value: object = None
    show_value: bool = True

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        got = f" (got {self.value!r})" if self.show_value else ""
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} {self.message}{got}"


class SimulatorError(Exception):
    """Base class of every error this package raises on purpose."""


class ScenarioError(SimulatorError):
    """A scenario file that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class CatalogError(SimulatorError):
    """A price catalog that is missing or malformed."""


class PlanInfeasibleError(SimulatorError):
    """No wave plan satisfies the pinned decisions, requires/excludes and capacities."""


class BacklogTooLargeError(SimulatorError):
    """A workload has more levers x waves than the planner enumerates; pin or exclude some."""


class SolverError(SimulatorError):
    """The requested solver is missing or failed."""


class ImportDataError(SimulatorError):
    """Usage or cost data that cannot be imported (carries located problems)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class WriteError(SimulatorError, OSError):
    """A file that cannot be written (missing folder, no permission, disk full).

    Also an :class:`OSError`, so code that guards file writes with ``except OSError`` still
    catches it. ``str()`` is the whole message (path and reason); ``strerror`` is the reason
    alone, so ``f"cannot write {path}: {exc.strerror or exc}"`` in callers reads right too.
    """

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.strerror = reason

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "cannot write file"


class ResourceLimitError(SimulatorError):
    """A run that would exceed a resource limit (paths x months x workloads); says what to lower."""
