"""The access log's hash chain, step 1 of 3: the chain's columns (empty for now) and the record of checks."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def restore_sqlite_update_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Going back past this migration: removing the columns rebuilt the table on SQLite, dropping 0002's trigger."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS core_accessevent_no_update BEFORE UPDATE ON core_accessevent "
            "BEGIN SELECT RAISE(ABORT, 'The access log is append-only'); END;"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_access_refusals"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_update_trigger),
        migrations.AddField(
            model_name="accessevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.CreateModel(
            name="AccessLogVerification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("events", models.PositiveBigIntegerField(help_text="Events walked")),
                ("intact", models.BooleanField()),
                ("last_event_id", models.BigIntegerField(blank=True, null=True)),
                ("last_seq", models.PositiveBigIntegerField(blank=True, null=True)),
                ("last_hash", models.CharField(blank=True, max_length=64)),
                ("last_at", models.DateTimeField(blank=True, null=True)),
                ("break_event_id", models.BigIntegerField(blank=True, null=True)),
                (
                    "break_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("altered", "Changed after it was written"),
                            ("missing", "Events missing"),
                            ("reordered", "Events out of order"),
                            ("replaced", "Replaced or rewritten"),
                        ],
                        max_length=20,
                    ),
                ),
                ("message", models.CharField(blank=True, help_text="What is wrong at the first break", max_length=500)),
                (
                    "partnership",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.partnership",
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-finished_at", "-id"],
                "indexes": [models.Index(fields=["partnership", "-finished_at"], name="access_verification_latest")],
            },
        ),
    ]
