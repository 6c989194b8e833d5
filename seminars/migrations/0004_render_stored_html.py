"""Once rendered the abstracts and comments saved before pages showed stored HTML.

It imported the live renderer, which a migration must not: the rows it would
render now have abstract_html_version and body_html_version 0 (0009), and
`manage.py rerender` renders them, as it does whenever the renderer changes.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("seminars", "0003_talk_search")]

    operations = []
