"""JSON parsing that remembers where each object sits, so bad rows can be named by line."""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
from pathlib import Path
from typing import Any

from simulator.errors import ImportDataError, Problem


class LocDict(dict[str, Any]):
    """A JSON object with its character span ``[start, end)`` in the source text."""

    start: int = 0
    end: int = 0


class _Decoder(json.JSONDecoder):
    def __init__(self) -> None:
        super().__init__()

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[LocDict, int]:
            obj, end = json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
            out = LocDict(obj)
            out.start, out.end = s_and_end[1] - 1, end
            return out, end

        self.parse_object = parse_object
        # the C scanner ignores parse_object overrides; the pure-Python one honours them
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


class JsonDoc:
    """A parsed JSON file and the line lookups for its objects."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        try:
            self.data: Any = _Decoder().decode(text)
        except json.JSONDecodeError as exc:
            raise ImportDataError(
                [Problem(name, exc.lineno, "", f"invalid JSON: {exc.msg}", None, False)]
            ) from None
        except RecursionError:
            raise ImportDataError(
                [Problem(name, 1, "", "JSON nested too deeply to be a usage report", None, False)]
            ) from None

    def line_at(self, pos: int) -> int:
        """1-based line of character offset ``pos``."""
        return bisect.bisect_left(self._newlines, pos) + 1

    def line(self, obj: Any, key: str | None = None) -> int:
        """Line of ``obj`` (a parsed object), or of its ``key`` when given and found."""
        if not isinstance(obj, LocDict):
            return 0
        if key is not None:
            pos = self.text.find(f'"{key}"', obj.start, obj.end)
            if pos >= 0:
                return self.line_at(pos)
        return self.line_at(obj.start)


def load_json(path: str | Path) -> JsonDoc:
    """Read and parse a JSON file; unreadable or malformed files raise :class:`ImportDataError`."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportDataError(
            [Problem(name, 0, "", f"cannot read file: {exc}", None, False)]
        ) from None
    return JsonDoc(name, text)
