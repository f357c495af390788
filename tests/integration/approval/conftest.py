"""The approval service on a real Redis (and PostgreSQL when LAPKIN_KERNEL_DATABASE_URL is set): the operators'
fixtures serve here too."""

from tests.integration.ops.conftest import r, settings  # noqa: F401  (fixtures)
