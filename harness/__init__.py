"""One harness for the things that start the platform's real processes: the tests' worker
(tests/worker.py), the benchmark (bench/), the fault scenarios (chaos/) and the browser
journeys (e2e/).

- `harness.environment`: the environment a child runs in (settings, database, broker,
  cache, keys), laid under what the caller already set;
- `harness.processes`: Celery worker and beat, gunicorn, redis-server and any program,
  each in a process group of its own with a log file, waited for until ready and
  stopped (SIGTERM to the group, SIGKILL after a timeout);
- `harness.bluesky`: the local Bluesky reference network (tests/bluesky/start.mjs).

Product code never imports it (the image leaves it out, as it leaves out tests/).
"""
