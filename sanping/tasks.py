from celery import shared_task


@shared_task
def task_ping() -> str:
    """Answers "pong": proves a worker takes tasks from the broker and returns results."""
    return "pong"
