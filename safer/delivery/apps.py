from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "safer.delivery"
    label = "delivery"
    verbose_name = "Annual delivery plan: tactical actions, quarterly monitoring, OPCC return, board pack"
