"""Fixtures of the review tests."""

from __future__ import annotations

import shutil

import pytest
from review_helpers import REVIEW, leave_pending


@pytest.fixture
def bib(tmp_path):
    path = tmp_path / "thesis.bib"
    shutil.copy(REVIEW / "thesis.bib", path)
    leave_pending(path)
    return path
