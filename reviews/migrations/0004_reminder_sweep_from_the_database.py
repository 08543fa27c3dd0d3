"""The daily reminder sweep is driven from the database (reviews.ReminderSweep)
and asked about every 5 minutes by beat (reviews.tasks.sweep_if_due, in
CELERY_BEAT_SCHEDULE), so the once-a-day crontab entry 0002 made goes: a sweep
fired at a fixed time is lost when the broker is down at that moment. A time
the school had set on that entry becomes its reminder time."""

import datetime

from django.db import migrations, models

OLD_TASK = "reviews.tasks.send_due_reminders"
OLD_NAME = "Send the daily due-date reminders"


def remove_daily_crontab(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    ReviewSettings = apps.get_model("reviews", "ReviewSettings")
    for task in PeriodicTask.objects.filter(task=OLD_TASK).select_related("crontab"):
        crontab = task.crontab
        if crontab is not None and crontab.hour.isdigit() and crontab.minute.isdigit():
            at = datetime.time(int(crontab.hour) % 24, int(crontab.minute) % 60)
            ReviewSettings.objects.update_or_create(pk=1, defaults={"reminder_time": at})
        task.delete()
        if crontab is not None and not PeriodicTask.objects.filter(crontab=crontab).exists():
            crontab.delete()


def restore_daily_crontab(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.get_or_create(name=OLD_NAME, defaults={"task": OLD_TASK, "crontab": schedule, "enabled": True})


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0003_lock_version'),
        ('django_celery_beat', '0018_improve_crontab_helptext'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReminderSweep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_completed_day', models.DateField(blank=True, null=True)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('digests', models.PositiveIntegerField(default=0, help_text='Digests queued by the last sweep')),
            ],
            options={
                'verbose_name': 'reminder sweep',
            },
        ),
        migrations.AddField(
            model_name='historicalreviewsettings',
            name='reminder_time',
            field=models.TimeField(default=datetime.time(6, 30), help_text='School time, 24-hour clock, like 06:30. If the server was down then, they go as soon as it is back.', verbose_name="Send the day's reminders from"),
        ),
        migrations.AddField(
            model_name='reviewsettings',
            name='reminder_time',
            field=models.TimeField(default=datetime.time(6, 30), help_text='School time, 24-hour clock, like 06:30. If the server was down then, they go as soon as it is back.', verbose_name="Send the day's reminders from"),
        ),
        migrations.RunPython(remove_daily_crontab, restore_daily_crontab),
    ]
