"""Writes for analytics: rollups, engagement pulls, audience snapshots, digests, settings."""
