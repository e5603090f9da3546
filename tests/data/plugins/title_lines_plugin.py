"""A third-party bibsync source, as another package would ship it (used by tests/sources/test_plugins.py).

Format: a first line ``#titles``, then ``Title | year`` per line. The test copies this file
next to a throwaway ``*.dist-info`` whose entry_points.txt declares it; bibsync itself never
names it.
"""

from bibsync.model import Entry, Failure, Origin


class TitleLinesSource:
    """One title per line, with its year after a bar."""

    name = "title-lines"
    suffixes = (".titles",)
    description = "one title per line with its year (a third-party test plugin)"

    def sniff(self, text):
        """True when the text starts with ``#titles``."""
        return text.startswith("#titles")

    def parse(self, text, context):
        """Yield an entry per ``Title | year`` line; a line without a year is a failure."""
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            title, _, year = line.partition("|")
            if not year.strip():
                yield Failure("no year after a '|'", context.filename, number, hint="write 'Title | 2021'")
                continue
            yield Entry("misc", {"title": title.strip(), "year": year.strip()},
                        origin=Origin(self.name, context.filename, number))


source = TitleLinesSource()
