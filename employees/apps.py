from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployeesConfig(AppConfig):
    name = "employees"
    verbose_name = _("People")

    def ready(self) -> None:
        from config.egress import egress_install

        # Every process (web, worker, beat, management commands) loads the apps, so
        # the guard learns the private-hosts setting before any request goes out.
        egress_install()

        from employees import signals

        signals.connect()
