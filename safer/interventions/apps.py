from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "safer.interventions"
    label = "interventions"
    verbose_name = "Risk assessments, stepped interventions, 2014 Act powers and case tasks"
