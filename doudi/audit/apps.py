from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "doudi.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from doudi.audit import receivers  # noqa: F401  (sign-ins into the audit log)
