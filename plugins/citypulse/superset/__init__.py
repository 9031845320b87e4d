"""Superset for CityPulse: bootstrap (dashboards as code), a local server, and a small API client.

Superset lives in its own virtualenv (``.venv-superset``); this package never imports it, it runs
Superset's CLI and one provisioning script in that interpreter as subprocesses.
"""
