from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "safer.documents"
    label = "documents"
    verbose_name = "Case documents, letters from templates, and subject access requests"
