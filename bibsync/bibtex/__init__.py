"""BibTeX text: blocks and reading (``read``), writing (``write``), splicing edits into an entry's
own text (``splice``), a file's style (``style``), the diff of a splice (``diff``), and the fields
each entry type requires (``required_fields``). Shared by the bibtex source and the .bib target."""
