"""``parse -o`` never writes over one of its inputs, nor over a file bibsync did not write
(unless --force); sources refuse devices and inputs too large to be a listing."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bibsync.cli import app
from bibsync.errors import InputError
from bibsync.sources import inputs
from locations import SAMPLES

runner = CliRunner()


def _parse(*args: str, stdin: str | None = None):
    return runner.invoke(app, ["parse", *args], input=stdin, env={"COLUMNS": "200"})


def test_the_output_is_never_one_of_the_inputs(tmp_path: Path) -> None:
    listing = tmp_path / "sel.txt"
    shutil.copy(SAMPLES / "acm-toc-socc24.txt", listing)
    before = listing.read_bytes()
    result = _parse(str(listing), "-o", str(listing))
    assert result.exit_code == 2
    assert f"{listing}: is also an input ({listing})" in result.stderr and "nothing was written" in result.stderr
    assert listing.read_bytes() == before
    link = tmp_path / "link.txt"
    link.symlink_to(listing)
    assert _parse(str(link), "-o", str(listing), "--force").exit_code == 2  # a link to it, even with --force
    assert listing.read_bytes() == before


def test_an_existing_bibliography_is_not_replaced_without_force(tmp_path: Path) -> None:
    thesis = tmp_path / "thesis.bib"
    shutil.copy(SAMPLES / "thesis.bib", thesis)
    before = thesis.read_bytes()
    result = _parse(str(SAMPLES / "acm-toc-socc24.txt"), "-o", str(thesis))
    assert result.exit_code == 1
    assert f"{thesis}: already holds 15 entries that bibsync parse did not write; nothing was written" \
        in result.stderr
    assert f"bibsync sync SOURCE --into {thesis}" in result.stderr and "--force" in result.stderr
    assert thesis.read_bytes() == before
    forced = _parse(str(SAMPLES / "acm-toc-socc24.txt"), "-o", str(thesis), "--force")
    assert forced.exit_code == 0 and thesis.read_bytes() != before


def test_its_own_output_is_replaced_and_an_edited_one_is_not(tmp_path: Path) -> None:
    out = tmp_path / "socc.bib"
    for flags in ([], ["--biblatex"], ["--utf8"]):
        first = _parse(str(SAMPLES / "acm-toc-socc24.txt"), "-o", str(out), *flags)
        assert first.exit_code == 0, first.stderr
        again = _parse(str(SAMPLES / "acm-toc-socc24.txt"), "-o", str(out), *flags)  # the same command again
        assert again.exit_code == 0, again.stderr
    out.write_text("% checked by hand\n" + out.read_text(encoding="utf-8"), encoding="utf-8")
    edited = out.read_bytes()
    result = _parse(str(SAMPLES / "acm-toc-socc24.txt"), "-o", str(out))
    assert result.exit_code == 1 and "did not write" in result.stderr and out.read_bytes() == edited
    blank = tmp_path / "blank.bib"
    blank.write_text("\n\n")
    assert _parse(str(SAMPLES / "acm-toc-socc24.txt"), "-o", str(blank)).exit_code == 0


def test_standard_input_redirected_from_the_output_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "socc.bib"
    assert _parse(str(SAMPLES / "acm-toc-socc24.txt"), "-o", str(out)).exit_code == 0
    before = out.read_bytes()
    fd = os.open(out, os.O_RDONLY)
    saved = os.dup(0)
    try:
        os.dup2(fd, 0)  # as a shell does for "bibsync parse - -o socc.bib < socc.bib"
        result = _parse("-", "-o", str(out))
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(fd)
    assert result.exit_code == 2 and f"{out}: is also an input (standard input)" in result.stderr
    assert out.read_bytes() == before


def test_a_character_device_is_refused_as_a_source() -> None:
    result = _parse("/dev/zero")
    assert result.exit_code == 1
    assert ("/dev/zero: is a character device, not a file: bibsync reads listings from files, named pipes or "
            "standard input") in result.stderr


def test_a_fifo_is_still_read(tmp_path: Path) -> None:
    fifo = tmp_path / "listing.fifo"
    os.mkfifo(fifo)
    data = (SAMPLES / "thesis.bib").read_bytes()

    def write() -> None:
        with open(fifo, "wb") as stream:
            stream.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    read, name = inputs.read_source_bytes(str(fifo))
    writer.join()
    assert read == data and name == str(fifo)


def test_an_input_larger_than_the_bound_is_refused_with_the_reason(tmp_path: Path) -> None:
    big = tmp_path / "big.bib"
    big.write_bytes(b"% x\n" * 300)
    with pytest.raises(InputError) as caught:
        inputs.read_source_bytes(str(big), limit=1000)
    assert caught.value.message.startswith("is larger than 1000 bytes, the most")
    assert caught.value.where == str(big)
    with pytest.raises(InputError, match="the most bibsync reads from one input"):
        inputs.read_source_bytes(str(big), limit=1000)
    assert inputs.MAX_INPUT_BYTES == 64 * 1024 * 1024
    sparse = tmp_path / "huge.txt"
    with open(sparse, "wb") as stream:  # a sparse file: its size is refused before it is read
        stream.truncate(inputs.MAX_INPUT_BYTES + 1)
    result = _parse(str(sparse))
    assert result.exit_code == 1
    assert f"{sparse}: is larger than 64 MiB, the most bibsync reads from one input" in result.stderr
    piped = _parse("-", stdin="@misc{a, title = {T}}\n" * 10)
    assert piped.exit_code == 0 and piped.stdout.count("@misc{") == 10
