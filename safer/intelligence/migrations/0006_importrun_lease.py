"""Import runs hold a lease while their rows are staged, so a run whose process was killed is found, marked failed
("Stopped before it finished") and its staged rows removed (intelligence/recovery.py)."""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def lease_staging_runs(apps, schema_editor):
    """Runs still being imported when this arrived (some may be left by a killed import, shown as being imported for
    ever) hold a lease of an unknown process since they began: recovered once silent for
    SAFER_INTERRUPTED_AFTER_MINUTES, their staged rows removed."""
    ImportRun = apps.get_model("intelligence", "ImportRun")
    for run in ImportRun.objects.filter(status="staging"):
        ImportRun.objects.filter(pk=run.pk).update(owner_host="", owner_pid=0, heartbeat_at=run.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_job_lease"),
        ("intelligence", "0005_counts_without_lsoa_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="heartbeat_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, help_text="When the work last reported progress"
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="owner_host",
            field=models.CharField(blank=True, help_text="The machine of the process doing the work", max_length=200),
        ),
        migrations.AddField(
            model_name="importrun",
            name="owner_pid",
            field=models.PositiveIntegerField(
                blank=True, help_text="Its process id while the work is under way; empty once it has ended", null=True
            ),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("staging", "Being imported"),
                    ("live", "In use"),
                    ("replaced", "Replaced by a later import"),
                    ("refused", "Refused"),
                    ("cancelled", "Cancelled"),
                    ("failed", "Stopped before it finished"),
                ],
                default="staging",
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="importrun",
            index=models.Index(
                condition=models.Q(("owner_pid__isnull", False)), fields=["owner_pid"], name="run_under_way"
            ),
        ),
        migrations.RunPython(lease_staging_runs, migrations.RunPython.noop),
    ]
