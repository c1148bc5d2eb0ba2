"""Backups: `archive` (one checked archive of the live data folder, and restoring one onto an empty folder)."""
