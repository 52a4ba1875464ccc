from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "doudi.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from doudi.audit.actions import audit_events_of
        from doudi.cases.models import CaseEvent

        audit_events_of(CaseEvent, object_type="case", owner="case")
