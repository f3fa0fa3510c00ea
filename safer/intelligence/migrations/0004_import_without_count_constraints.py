"""Leaner police.uk imports: monthly counts without database-level foreign keys (checked twice per count at commit on
PostgreSQL), and street rows found by month through a BRIN index on PostgreSQL (a B-tree elsewhere)."""

import django.db.models.deletion
from django.db import migrations, models

import safer.intelligence.models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_access_log_indexes"),
        ("geography", "0002_lsoa_successor"),
        ("intelligence", "0003_leaner_import_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="streetrecord",
            name="street_month",
        ),
        migrations.AlterField(
            model_name="monthlycount",
            name="lsoa",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geography.lsoa",
            ),
        ),
        migrations.AlterField(
            model_name="monthlycount",
            name="partnership",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.partnership",
            ),
        ),
        migrations.AddIndex(
            model_name="streetrecord",
            index=safer.intelligence.models.MonthRangeIndex(fields=["partnership", "month"], name="street_month"),
        ),
    ]
