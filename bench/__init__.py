"""Benchmarks at scale: a seeder (`manage.py seed_scale`) and the runner (`bench/run.sh`)."""
