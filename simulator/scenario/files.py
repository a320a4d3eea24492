"""Writing files safely: atomically, through symlinks, keeping mode, line endings and BOM."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from simulator.errors import WriteError


@dataclass(frozen=True)
class TextStyle:
    """How a file was written, so saving gives it back the same way: line ending and BOM."""

    newline: str = "\n"
    bom: bool = False

    def apply(self, text: str) -> str:
        """``text`` (LF line endings) with this style's line ending and BOM."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ("\ufeff" if self.bom else "") + text


# read once, at import (single-threaded): new files get the usual 0o666 minus the umask
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomic(path: Path, text: str, style: TextStyle | None = None) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename.

    A symlink is followed (its target is rewritten, the link stays); an existing file keeps its
    permission bits, a new one gets ``0o666`` minus the umask; ``style`` restores CRLF line
    endings and a BOM. Any failure leaves the old file untouched.

    Raises
    ------
    WriteError
        When the folder does not exist or cannot be written (no partial file is left behind).
    """
    target = Path(os.path.realpath(path))
    data = (style or TextStyle()).apply(text).encode("utf-8")
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    except OSError as exc:
        raise WriteError(path, str(exc.strerror or exc)) from None
    if target.is_dir():
        raise WriteError(path, "it is a folder; give a file name")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise WriteError(path, str(exc.strerror or exc)) from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
