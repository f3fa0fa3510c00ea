from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "safer.geography"
    label = "geography"
    verbose_name = "Geography: areas, population, deprivation"
