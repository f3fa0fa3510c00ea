"""Jobs hold a lease while they run (the process doing them and a heartbeat), so a job whose process was killed is
found, marked failed and tidied (core.jobs.recover_interrupted)."""

import django.utils.timezone
from django.db import migrations, models


def lease_running_jobs(apps, schema_editor):
    """Jobs running when this arrived hold a lease of an unknown process since they started: if their process is
    gone they are recovered once silent for SAFER_INTERRUPTED_AFTER_MINUTES."""
    Job = apps.get_model("core", "Job")
    for job in Job.objects.filter(status="running"):
        Job.objects.filter(pk=job.pk).update(owner_host="", owner_pid=0, heartbeat_at=job.started_at or job.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_accessevent_chain_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="heartbeat_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, help_text="When the work last reported progress"
            ),
        ),
        migrations.AddField(
            model_name="job",
            name="owner_host",
            field=models.CharField(blank=True, help_text="The machine of the process doing the work", max_length=200),
        ),
        migrations.AddField(
            model_name="job",
            name="owner_pid",
            field=models.PositiveIntegerField(
                blank=True, help_text="Its process id while the work is under way; empty once it has ended", null=True
            ),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                condition=models.Q(("owner_pid__isnull", False)), fields=["owner_pid"], name="job_under_way"
            ),
        ),
        migrations.RunPython(lease_running_jobs, migrations.RunPython.noop),
    ]
