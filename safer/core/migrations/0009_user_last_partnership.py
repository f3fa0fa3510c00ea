# The partnership a person last chose to work in, where their next sign-in starts.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_job_lease"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="last_partnership",
            field=models.ForeignKey(
                blank=True,
                help_text="The partnership they last chose to work in: where they start at their next sign-in, while they are still a member of it",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="core.partnership",
            ),
        ),
    ]
