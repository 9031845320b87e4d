"""The production topology as local processes (``make stack``): the services of docker-compose.yml.

Airflow (api-server, scheduler, dag-processor, triggerer, one Celery worker) on the machine's
PostgreSQL and Redis, and Superset on PostgreSQL metadata behind gunicorn, all under a data home of
their own so the embedded demo is never touched. Entry point: ``python -m citypulse.stack up|down|status``.
"""

from citypulse.stack.stack_config import StackConfig
from citypulse.stack.topology import SERVICE_NAMES, down, status, up

__all__ = ["SERVICE_NAMES", "StackConfig", "down", "status", "up"]
