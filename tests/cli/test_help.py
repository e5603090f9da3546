"""Help text: `-h` everywhere, metavars that name the value, defaults whole, paragraphs reflowed,
commands in the order of a working day, `--version`.

The option checks walk every command the CLI has, so options and commands added later are
held to the same rules.
"""

from __future__ import annotations

import re
import textwrap
from importlib.metadata import version

import pytest
from typer.core import TyperArgument, TyperOption
from typer.main import get_command
from typer.testing import CliRunner

import bibsync
from bibsync.cli import COMMAND_ORDER, app, build_app

runner = CliRunner()
DAY = ["parse", "sync", "review", "dedupe", "match", "pull", "formats"]  # issue 13: the order of a day
DEFAULT_PATTERN = "[auth:lower][year][veryshorttitle:lower]"
TYPE_NAMES = {"str", "text", "string", "int", "integer", "float", "bool", "boolean", "path", "list"}
METAVAR_RE = re.compile(r"[A-Za-z0-9_.:|\-]+")


def group_and_commands():
    """The click group behind the app and every command it lists."""
    group = get_command(app)
    ctx = group.make_context("bibsync", ["--help"], resilient_parsing=True)
    names = group.list_commands(ctx)
    return group, {name: group.get_command(ctx, name) for name in names}


COMMANDS = sorted(group_and_commands()[1])


def render(args: list[str], width: int = 80) -> str:
    result = runner.invoke(app, args, terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_commands_are_listed_in_the_order_of_a_day():
    listed = [line.split()[0] for line in render(["--help"]).split("Commands:\n")[1].splitlines() if line.strip()
              and not line.startswith("    ")]
    assert [name for name in listed if name in DAY] == DAY
    known = [name for name in COMMAND_ORDER if name in listed]
    assert listed[:len(known)] == known  # declared ones first, in the declared order
    assert listed[len(known):] == sorted(listed[len(known):])  # then the others by name


def test_commands_not_in_the_declared_order_come_last_by_name():
    extended = build_app()
    for name in ("zz-last", "aa-first"):
        extended.command(name)(lambda: None)
    group = get_command(extended)
    names = group.list_commands(group.make_context("bibsync", ["--help"], resilient_parsing=True))
    assert names[:len(DAY)] == DAY and names[-2:] == ["aa-first", "zz-last"]
    assert [n for n in names if n not in COMMAND_ORDER] == ["aa-first", "zz-last"]


def test_command_list_shows_each_first_paragraph_whole():
    text = render(["--help"])
    body = " ".join(text.split("Commands:\n")[1].split())
    assert "Add new entries, complete known ones, hold uncertain ones for review; touch nothing else." in body
    assert "..." not in body and "…" not in body


@pytest.mark.parametrize("args", [["-h"], ["--help"]] + [[name, "-h"] for name in COMMANDS])
def test_dash_h_works_everywhere(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ")
    assert "-h, --help" in result.stdout


def test_version_prints_the_installed_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"bibsync {bibsync.__version__}\n"
    assert bibsync.__version__ == version("bibsync")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_names_its_value_and_has_a_one_sentence_help(name):
    """Value options and arguments have an explicit metavar naming the value; flags have none."""
    command = group_and_commands()[1][name]
    for param in command.params:
        label = f"{name} {param.opts[0]}"
        assert param.help and param.help.strip() == param.help, f"{label}: no help"
        assert "\n" not in param.help and param.help.endswith("."), f"{label}: help is not one sentence"
        if isinstance(param, TyperOption) and (param.is_flag or param.count):
            assert param.metavar is None, f"{label}: a flag shows no metavar"
            continue
        assert isinstance(param, (TyperOption, TyperArgument))
        metavar = param.metavar
        assert metavar, f"{label}: give it metavar= naming the value (FILE.bib, PATTERN, N, ...)"
        assert METAVAR_RE.fullmatch(metavar) and metavar.lower() not in TYPE_NAMES, f"{label}: metavar {metavar!r}"
        assert any(c.isupper() for c in metavar) or "|" in metavar, f"{label}: metavar {metavar!r} names no value"


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("name", COMMANDS)
def test_rendered_help_has_no_type_markers_and_whole_defaults(name, width):
    text = render([name, "--help"], width)
    assert not re.search(r"<(str|bool|path|int|text|list\[str\]|float)>", text), text
    assert "…" not in text
    if "--key-format" in text:
        assert DEFAULT_PATTERN in text  # never cut, however narrow the terminal
    if name == "review":
        assert "--rewrite-tex DIR" in text and "--zotero user:ID|group:ID" in text
    # no line wider than the terminal: a long default goes on a line of its own (QA review, item 11)
    assert [line for line in text.splitlines() if len(line) > width] == []
    if DEFAULT_PATTERN in text:
        assert f"[default: {DEFAULT_PATTERN}]" in text  # in one piece, on one line
    assert not re.search(r"\bx[<>]=?\d|\d<=?x\b", text)  # ranges in words: "at least 1", not "x>=1"


def test_a_number_range_reads_naturally():
    text = render(["match", "--help"], 80)
    assert "[default: 3; at least 1]" in " ".join(text.split())


@pytest.mark.parametrize("name", COMMANDS)
def test_description_paragraphs_are_reflowed_not_broken_where_the_source_breaks(name):
    """Each paragraph of the docstring fills its lines: no break in mid-sentence (review had them)."""
    text = render([name, "--help"])
    description = text.split("\n\n", 1)[1].split("\nArguments:")[0].split("\nOptions:")[0]
    for paragraph in description.strip("\n").split("\n\n"):
        lines = paragraph.split("\n")
        joined = " ".join(line.strip() for line in lines)
        assert lines == textwrap.wrap(joined, width=80, initial_indent="  ", subsequent_indent="  ",
                                      break_long_words=False), paragraph


def test_review_docstring_is_broken_in_its_source_and_whole_on_screen():
    """review's docstring breaks lines mid-sentence in the source (where the old help broke them)."""
    review = group_and_commands()[1]["review"]
    source_paragraphs = [p for p in review.help.split("\n\n")[1:] if "\n" in p.strip()]
    assert source_paragraphs
    screen = " ".join(render(["review", "--help"]).split())
    for paragraph in source_paragraphs:
        assert " ".join(paragraph.split()) in screen
