from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safer.cases"
    label = "cases"
    verbose_name = "Cases: people, places, reports and shared ASB and vulnerability cases"
