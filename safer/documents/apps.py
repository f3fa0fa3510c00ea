from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "safer.documents"
    label = "documents"
    verbose_name = "Case documents, letters from templates, and subject access requests"

    def ready(self) -> None:
        from safer.core.refusals import register_personal_urls

        # Pages and API answers with personal data: refusing one is recorded for the DPO.
        register_personal_urls("documents", "case", "letter", record_type="case", id_argument="case_id")
        register_personal_urls("documents", "download", record_type="document", id_argument="document_id")
        register_personal_urls("documents", "sar-register", record_type="subject_access")
        register_personal_urls("documents", "sar", "sar-export", record_type="subject_access", id_argument="sar_id")
        register_personal_urls("documents", "who-has-seen", record_type="person")
        register_personal_urls("documents", "who-has-seen-person", record_type="person", id_argument="person_id")
        register_personal_urls("documents", "retention", record_type="case")
        register_personal_urls("documents", "retention-case", record_type="case", id_argument="case_id")
        # safer.documents.api, mounted in the "api" namespace: URL names are the operations' function names.
        register_personal_urls("api", "list_cases", record_type="case")
        register_personal_urls("api", "get_case", "list_case_documents", record_type="case", id_argument="case_id")
        register_personal_urls("api", "create_report", record_type="report")
