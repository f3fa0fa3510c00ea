from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "safer.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence: crime, ASB and partner data"
