from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safer.core"
    label = "core"
    verbose_name = "Core: partnerships, people and audit"

    def ready(self) -> None:
        from safer.core import signals  # noqa: F401 - connects the sign-in audit receivers
