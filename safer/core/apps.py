from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safer.core"
    label = "core"
    verbose_name = "Core: partnerships, people and audit"

    def ready(self) -> None:
        from safer.core import signals  # noqa: F401 - connects the sign-in audit receivers
        from safer.core.refusals import register_personal_urls

        # The people of a partnership, the access log and refused requests, and exports made as jobs: refusing one
        # of these to someone is recorded for the DPO (safer.core.refusals).
        register_personal_urls("core", "people", record_type="user")
        register_personal_urls(
            "core",
            "person",
            "disable-person",
            "enable-person",
            "reset-two-factor",
            record_type="user",
            id_argument="user_id",
        )
        register_personal_urls("core", "access-log", "access-log-export", "refusals", record_type="access_log")
        register_personal_urls(
            "core", "job", "job-status", "cancel-job", "job-download", record_type="job", id_argument="job_id"
        )
