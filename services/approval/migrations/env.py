"""Alembic environment of the approval service: its tables plus its own copy of the kernel tables.

The configuration is programmatic (no alembic.ini): see shared/migrate.py.
"""

from shared.migrate import run_env

run_env("approval")
