"""The .bib file target: ``target`` (BibFileTarget: read, plan, splice, write), ``filebytes``
(the file's bytes and encoding), ``state`` (what a read produced), ``cache`` (reads kept between
runs) and ``notbibtex`` (a file in another format, refused)."""
