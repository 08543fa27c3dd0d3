from django.dispatch import receiver

from send_register.signals import email_sent

from .notices import record_notice_sent


@receiver(email_sent)
def register_notice_sent(sender, email, **kwargs):
    if email.purpose == "register_notice" and email.related_id:
        record_notice_sent(email.related_id, email.sent_at or email.updated_at)
