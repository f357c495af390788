"""The approval service on a real Redis (and PostgreSQL when LAPKIN_KERNEL_DATABASE_URL is set): the operators'
fixtures serve here too."""

from tests.integration.ops.conftest import r, settings  # noqa: F401  (fixtures)
from tests.integration.ops.test_operator_pages import app_client  # noqa: F401  (a fixture: the app, no redirects)
