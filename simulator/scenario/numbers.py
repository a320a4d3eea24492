"""Finite, bounded, strictly typed numbers and single-line text for scenario fields.

Every numeric field of a scenario goes through :func:`number` or :func:`whole`, so ``.inf``,
``.nan``, ``true`` (which YAML and pydantic would otherwise take as 1) and quoted numbers are
refused with a plain message, and every field has a documented upper bound that keeps later
stages (the MIP, the Monte Carlo) inside float64 and solver tolerances. New fields should use
these helpers too; docs/reliability.md lists the bounds.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema

# Upper bounds, documented in docs/scenario-reference.md and docs/reliability.md. They are far
# beyond any real programme but small enough that dollars stay below ~1e20 and solvers stay exact.
MAX_REQUESTS_PER_MONTH = 1e12
MAX_TOKENS_PER_REQUEST = 1e7
MAX_RATE = 1e4  # $ per million tokens
MAX_MONEY = 1e12  # dollars: commitments, tier thresholds
MAX_WEEKS = 1e5  # engineering weeks in a wave, or a lever's effort
MAX_WEEK_COST = 1e7
MAX_MONTH = 1200  # 100 years; horizons are at most 120 months anyway
MAX_SEED = 2**63 - 1
MIN_YEAR = 1970
MAX_YEAR = 2200


def strict_number(value: Any) -> Any:
    """Pass numbers through; refuse booleans, text and non-finite floats with a plain message."""
    # YAML `true` is a bool, and bool is an int in Python: refuse it instead of reading 1
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            raise ValueError("must be a number") from None
        raise ValueError("must be a number, written without quotes")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number (not .inf or .nan)")
    return value


#: A finite float: refuses booleans, text, ``.inf`` and ``.nan``. Add bounds where used:
#: ``Annotated[Finite, Field(ge=0, le=MAX_RATE)]``.
Finite = Annotated[float, BeforeValidator(strict_number), Field(allow_inf_nan=False)]
#: A whole number: refuses booleans and text; a whole float such as ``2e4`` reads as 20000.
Whole = Annotated[int, BeforeValidator(strict_number)]


# C0/C1 control characters (ESC starts terminal escape sequences), DEL, and the Unicode
# bidirectional overrides that make text display differently from what it says.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_control(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control characters and escape sequences removed (newlines kept on request).

    Used on the way to a terminal, HTML or Markdown, so a name can never move the cursor, change
    colours or reverse the text it is printed in.
    """
    if keep_newlines:
        return "\n".join(_CONTROL.sub("", part) for part in text.split("\n"))
    return _CONTROL.sub("", text)


def _single_line(value: str) -> str:
    bad = _CONTROL.search(value)
    if bad:
        name = unicodedata.name(bad.group(), f"U+{ord(bad.group()):04X}")
        raise ValueError(f"must be one line of text without control characters (found {name})")
    return value


def _multi_line(value: str) -> str:
    _single_line(value.replace("\n", " ").replace("\t", " "))
    return value


def _year_in_range(value: str) -> str:
    year = int(value[:4])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


#: A name shown in reports: one line, no control characters, at most 200 characters.
Name = Annotated[str, Field(max_length=200), AfterValidator(_single_line)]
#: Free text (descriptions): newlines and tabs allowed, other control characters not.
FreeText = Annotated[str, Field(max_length=10_000), AfterValidator(_multi_line)]
#: A calendar month ``YYYY-MM`` with a year in [MIN_YEAR, MAX_YEAR].
MonthText = Annotated[
    str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$"), AfterValidator(_year_in_range)
]


_JSON_BOUNDS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
}


def _standard_bounds(node: Any) -> Any:
    if isinstance(node, dict):
        numeric = node.get("type") in ("number", "integer")
        return {
            (_JSON_BOUNDS[k] if numeric and k in _JSON_BOUNDS else k): _standard_bounds(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_standard_bounds(v) for v in node]
    return node


class BoundsJsonSchema(GenerateJsonSchema):
    """JSON Schema with standard ``minimum``/``maximum`` for :data:`Finite` and :data:`Whole`.

    Bounds placed after a before-validator come out of pydantic as ``ge``/``le``, which JSON
    Schema validators ignore; this renames them so ``commitsim schema`` checks the bounds too.
    """

    def generate(self, schema: CoreSchema, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        """The schema pydantic generates, with numeric bounds under their JSON Schema names."""
        out: JsonSchemaValue = _standard_bounds(super().generate(schema, mode))
        return out
