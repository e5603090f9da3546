"""The suite's own hygiene: every test id is short enough to pass to the processes tests start."""


def test_every_test_id_is_short(request):
    # PYTEST_CURRENT_TEST carries the id into every child process; over 128 KiB, exec fails.
    longest = max(request.session.items, key=lambda item: len(item.nodeid))
    assert len(longest.nodeid) < 300, longest.nodeid[:200]
