from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("send_register", "0002_workerheartbeat")]

    operations = [
        migrations.CreateModel(
            name="RetentionAction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("former_pupil_id", models.PositiveBigIntegerField(db_index=True)),
                ("action", models.CharField(choices=[("anonymised", "Anonymised"), ("deleted", "Deleted")], max_length=10)),
                ("at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["-at"]},
        ),
    ]
