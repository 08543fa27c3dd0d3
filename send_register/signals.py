from django.dispatch import Signal

# Sent after an outbox email has gone; receivers get `email` (OutboundEmail).
email_sent = Signal()
