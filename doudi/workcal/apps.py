from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "doudi.workcal"
    label = "workcal"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from doudi.workcal.actions import seed_after_migrate

        # After every migrate (and every test flush): fill an empty calendar from the library.
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="workcal-seed")
