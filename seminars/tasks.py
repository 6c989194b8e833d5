"""Background work of the catalogue, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task


@task()
def rerender_out_of_date() -> str:
    """After a series' macros changed (Series.outdate_rendered_math): render its texts again."""
    from .rerendering import rerender_out_of_date as rerender  # it imports the models

    counts = rerender(batch_size=200)
    return ", ".join(f"{name}: {count}" for name, count in counts.items())
