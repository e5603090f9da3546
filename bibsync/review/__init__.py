"""The review: a person settles the uncertain matches and duplicates, and the decisions are kept.

``cases`` (the questions, and remembered decisions that answer them), ``merge`` (two entries
field by field), ``walk`` (asking the cases in turn), ``outcomes`` (answers into changes),
``decisions`` (the store of decisions and pending cases), ``session`` (a review of a target:
load, ask, write, remember), ``terminal`` (the screen and its keys) and ``texrewrite``
(``\\cite`` keys in .tex files after merges).
"""
