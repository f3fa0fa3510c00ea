from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "safer.plans"
    label = "plans"
    verbose_name = "Plans and performance: strategy, targets, delivery plan, quarterly returns"
