from celery import shared_task


@shared_task(acks_late=True)
def password_reset_process(request_id: int) -> bool:
    from .services import password_reset_process as process

    return process(request_id)


@shared_task
def drain_password_resets() -> int:
    from .services import password_reset_drain

    return password_reset_drain()
