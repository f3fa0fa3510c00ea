from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "safer.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence: crime, ASB and partner data"

    def ready(self) -> None:
        import pyarrow as pa

        from safer.core.jobs import register_interrupted_job, register_interrupted_work, register_job_page
        from safer.intelligence import recovery
        from safer.intelligence.tasks import IMPORT_JOB_KINDS, PARTNER_IMPORT_JOB, POLICEUK_IMPORT_JOB

        # An import's job page lists what became of each file, with its report.
        for kind in IMPORT_JOB_KINDS:
            register_job_page(kind, "intelligence:import-job")

        # An import whose process was killed: its staged rows and uploaded files are removed.
        again = "Upload the file again."
        register_interrupted_job(POLICEUK_IMPORT_JOB, noun="import", again=again, cleanup=recovery.tidy_policeuk_job)
        register_interrupted_job(PARTNER_IMPORT_JOB, noun="import", again=again, cleanup=recovery.tidy_partner_job)
        register_interrupted_work("import runs", recovery.recover_runs)

        # Arrow's own allocator (mimalloc) keeps memory that one thread frees after another made it: with a file's
        # blocks made in the read-ahead thread and freed by the writer, a 1,000,000-row import peaked at 270-298 MB
        # against 217-223 MB with the system allocator, at the same speed.
        pa.set_memory_pool(pa.system_memory_pool())
