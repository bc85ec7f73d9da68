"""Digests built before trust statements to one person stopped travelling: take those statements out of them.

A digest is read by everyone; a statement to one person (and its raised limit) is private to them, their managers and
department heads. Older contents marked such a statement with a non-empty "to".
"""

from django.db import migrations


def forget_private_trust_statements(apps, schema_editor):
    Digest = apps.get_model("digests", "Digest")
    for digest in Digest.objects.exclude(content={}).only("pk", "content").iterator():
        trust = (digest.content or {}).get("trust") or []
        shared = [item for item in trust if not item.get("to")]
        if len(shared) != len(trust):
            digest.content["trust"] = [{k: v for k, v in item.items() if k != "to"} for item in shared]
            digest.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [("digests", "0001_initial")]

    operations = [migrations.RunPython(forget_private_trust_statements, migrations.RunPython.noop)]
