"""Files handled safely, for every stage: atomic replacement (``atomic``), the kinds of path
refused (``kinds``), the lock between runs (``lock``), text decoding (``decoding``) and JSON
read within bounds (``jsonload``)."""
