from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safer.cases"
    label = "cases"
    verbose_name = "Cases: people, places, reports and shared ASB and vulnerability cases"

    def ready(self) -> None:
        from safer.cases import records
        from safer.core.refusals import register_personal_urls

        records.register()  # how the DPO's access log names cases, reports and people, and finds them by name

        # Every cases page serves personal data: refusing one is recorded for the DPO.
        register_personal_urls("cases", "list", "export", "match", record_type="case")
        register_personal_urls("cases", "report-new", record_type="report")
        register_personal_urls(
            "cases",
            "report",
            "report-same-person",
            "report-add-to-case",
            "report-open-case",
            record_type="report",
            id_argument="report_id",
        )
        register_personal_urls("cases", "person", "person-edit", record_type="person", id_argument="person_id")
        register_personal_urls(
            "cases",
            "case",
            "purpose",
            "edit",
            "add-party",
            "add-place",
            "add-note",
            "share",
            "consent",
            "remove-agency",
            "transfer",
            "close",
            "reopen",
            record_type="case",
            id_argument="case_id",
        )
