"""Test factories, one module per area: each function builds one thing in the given session and
flushes, so it has its id. None commits: a test that needs committed rows (a second connection,
a live server, a Celery worker, a thread) commits them itself."""
