from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "safer.delivery"
    label = "delivery"
    verbose_name = "Annual delivery plan: tactical actions, quarterly monitoring, OPCC return, board pack"

    def ready(self) -> None:
        from safer.core.jobs import register_interrupted_job, register_job_page
        from safer.core.waiting import register_waiting
        from safer.delivery.assessment import delivery_part
        from safer.delivery.selectors import returns_waiting
        from safer.delivery.tasks import tidy_interrupted_import
        from safer.intelligence.assessment import register_part

        # Returns waiting for their owner or the chair are on Home and My work.
        register_waiting(returns_waiting)
        # How far the plan was delivered is part of the Strategic Assessment.
        register_part("delivery", delivery_part)

        # Delivery imports and document builds ("delivery_<what>") have a page that names the plan and any problems.
        register_job_page("delivery_", "delivery:job")
        # A plan import whose process was killed wrote nothing (one transaction); its uploaded workbook is removed.
        # (A document build's part-written file is removed by core, as for every job.)
        register_interrupted_job(
            "delivery_import", noun="import", again="Upload the file again.", cleanup=tidy_interrupted_import
        )
