"""The processes a benchmark runs: the server harness (``servers.py``), the production server
settings a bench-only app is served with (``serve.py``), and the bench-only apps - the floor, a
bare Litestar endpoint (``floor_app.py``), and the service with a pre-filled dedup index
(``bench_app.py``)."""
