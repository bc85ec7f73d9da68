# Stories learn the language they were written in, and on PostgreSQL get a stored, generated full-text search
# document (stemmed with that language's configuration) with a GIN index. SQLite keeps no such column: search falls
# back to substring matching there (apps/decisions/search.py).

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# As apps.decisions.search.CONFIGS when this was written; copied, so that the migration never changes.
CONFIG = "CASE language WHEN 'es' THEN 'spanish'::regconfig WHEN 'nl' THEN 'dutch'::regconfig ELSE 'english'::regconfig END"


def languages_from_authors(apps, schema_editor):
    Decision = apps.get_model("decisions", "Decision")
    User = apps.get_model("accounts", "User")
    Decision.objects.filter(language="").update(
        language=Subquery(User.objects.filter(pk=OuterRef("author_id")).values("language")[:1])
    )


def add_search_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    config = CONFIG
    schema_editor.execute(
        "ALTER TABLE decisions_decision ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector({config}, coalesce(action, '')), 'A') || "
        f"setweight(to_tsvector({config}, coalesce(situation, '') || ' ' || coalesce(justification, '')), 'B')"
        ") STORED"
    )
    schema_editor.execute(
        "CREATE INDEX decision_search_document_gin ON decisions_decision USING gin (search_document)"
    )


def drop_search_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE decisions_decision DROP COLUMN IF EXISTS search_document")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_reminder_opt_out'),
        ('decisions', '0004_returned_to_the_author'),
    ]

    operations = [
        migrations.AddField(
            model_name='decision',
            name='language',
            field=models.CharField(blank=True, max_length=8, verbose_name='language'),
        ),
        migrations.RunPython(languages_from_authors, migrations.RunPython.noop),
        migrations.RunPython(add_search_document, drop_search_document),
    ]
