from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "safer.interventions"
    label = "interventions"
    verbose_name = "Risk assessments, stepped interventions, 2014 Act powers and case tasks"

    def ready(self) -> None:
        from safer.cases.signals import known_to_another_agency
        from safer.core.refusals import register_personal_urls
        from safer.interventions.elsewhere import tell_the_owner

        # Another agency's report named someone on a case: its owner is told (a notification on My work).
        known_to_another_agency.connect(tell_the_owner, dispatch_uid="interventions-tell-the-owner")

        # The pages under a case, and the person's tasks on cases: refusing one is recorded for the DPO.
        register_personal_urls(
            "interventions",
            "risk",
            "risk-new",
            "interventions",
            "intervention-new",
            "intervention",
            "tasks",
            "task-done",
            record_type="case",
            id_argument="case_id",
        )
        register_personal_urls("interventions", "my-work", record_type="task")
        # safer.interventions.api, mounted in the "api" namespace.
        register_personal_urls("api", "my_tasks", record_type="task")
        register_personal_urls("api", "complete", record_type="task", id_argument="task_id")
