"""Where ``bibsync parse -o FILE.bib`` may write.

``-o`` creates its file, or replaces one in exactly the form ``parse`` writes: its own
output (running the same command again), also after a correction inside a value. It never writes over one of its inputs
(the listing would be gone), and it refuses to replace a file with anything else in it,
such as a bibliography someone keeps, unless ``--force``: adding to an existing .bib is
what ``sync --into`` does, entry by entry, keeping every byte it does not change. (Most
converters replace their output silently, as ``pandoc -o`` does; compressors such as
``gzip`` and ``zstd`` refuse to replace an existing file without ``-f``, which is the
behaviour here, because the file replaced may be someone's only copy of their work.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import TargetError, UsageError
from ..files.writable import require_writable

if TYPE_CHECKING:
    from ..bibtex.read import BibDocument


def check_parse_output(output: Path, sources: Sequence[str], *, force: bool = False) -> None:
    """Refuse ``output`` for ``parse -o`` (see the module docstring): a device, FIFO or socket;
    a read-only file or one with other content (unless ``force``); one of ``sources``
    (``-`` is standard input), even with ``force``. Nothing is read but ``output`` itself."""
    require_writable(output, force=force, flag="-o")
    same = same_file_as(output, sources)
    if same is not None:
        shown = "standard input" if same == "-" else same
        raise UsageError(f"is also an input ({shown}); writing it would replace what is being read, and nothing "
                         "was written", where=str(output), hint="name another file with -o")
    if not force:
        _refuse_other_content(output)


def same_file_as(output: Path, sources: Sequence[str]) -> str | None:
    """The first of ``sources`` that is the file ``output`` (also through a link, or a hard link,
    or standard input redirected from it), else None."""
    try:
        out = os.stat(output)
    except OSError:
        return None
    for source in sources:
        try:
            info = os.fstat(0) if source == "-" else os.stat(source)
        except (OSError, ValueError):  # an identifier, or no standard input
            continue
        if (info.st_dev, info.st_ino) == (out.st_dev, out.st_ino):
            return source
    return None


def _refuse_other_content(output: Path) -> None:
    from ..sources.inputs import MAX_INPUT_BYTES

    try:  # a regular file: require_writable refused anything else
        if output.stat().st_size > MAX_INPUT_BYTES:  # more than parse ever reads: not its output
            raise _other_content(output, 0)
        data = output.read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise TargetError(f"cannot read: {exc.strerror}", where=str(output)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # parse writes UTF-8: not its output
        raise _other_content(output, 0) from None
    if not text.strip():
        return
    from ..bibtex.read import read_bibtex

    doc = read_bibtex(text)
    if not written_by_parse(doc, text):
        raise _other_content(output, len(doc.entries))


def _other_content(output: Path, held: int) -> TargetError:
    what = f"{held} entr{'y' if held == 1 else 'ies'}" if held else "other text"
    return TargetError(f"already holds {what} that bibsync parse did not write; nothing was written",
                       where=str(output),
                       hint=f"name a new file; to add the entries to this one, 'bibsync sync SOURCE --into {output}'; "
                            "--force replaces it")


def written_by_parse(doc: "BibDocument", text: str) -> bool:
    """True when ``text`` (read as ``doc``) is exactly what ``parse`` writes for the entries it
    holds, in one of its styles (BibTeX or BibLaTeX, ASCII or UTF-8): its own output, unchanged
    since, or corrected only inside values."""
    from ..bibtex.write import default_style, format_entries

    if not doc.entries or doc.failures or any(not entry.key for entry in doc.entries):
        return False
    return any(format_entries(doc.entries, default_style(biblatex, ascii_)) == text
               for biblatex in (False, True) for ascii_ in (True, False))
