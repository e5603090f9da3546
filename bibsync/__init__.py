"""bibsync: keep a bibliography in step with the literature.

Data flow: source -> entries -> keys -> match -> plan -> review -> apply.
"""

__version__ = "0.1.0"
