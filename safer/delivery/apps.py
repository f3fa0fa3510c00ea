from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "safer.delivery"
    label = "delivery"
    verbose_name = "Annual delivery plan: tactical actions, quarterly monitoring, OPCC return, board pack"

    def ready(self) -> None:
        from safer.core.jobs import register_job_page

        # Delivery imports and document builds ("delivery_<what>") have a page that names the plan and any problems.
        register_job_page("delivery_", "delivery:job")
