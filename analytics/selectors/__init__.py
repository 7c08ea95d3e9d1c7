"""Reads for analytics: settings, scope, the dashboard's figures from the rollups."""
