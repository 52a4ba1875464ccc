from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "doudi.feedback"
    label = "feedback"
    verbose_name = "好差评与回访"

    def ready(self) -> None:
        from doudi.audit.actions import audit_events_of
        from doudi.feedback import receivers  # noqa: F401  (opens return visits)
        from doudi.feedback.models import RatingEvent

        audit_events_of(RatingEvent, object_type="rating", owner="rating")
