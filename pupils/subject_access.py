"""Subject access (UK GDPR Art 15) and educational record requests: one
archive of everything the register holds about a pupil (DOMAIN.md 8.1, 8.4).

Everything that belongs to the pupil is found the way a deletion would find
it (Django's collector follows every relation to the pupil, in every app, with
no app importing another), plus the change history and the stored files. The
SENCo reviews third-party information before disclosure (DOMAIN.md 8.4): the
archive's README says so."""

import io
import json
import zipfile
from collections import defaultdict

from django.contrib.admin.utils import NestedObjects
from django.core import serializers
from django.db import models
from django.utils import timezone

from .models import Pupil

README = """Everything the SEND register holds about one pupil, exported on {when} by {who}.

records/<app>.<model>.json   every record that belongs to the pupil, as JSON
history/<model>.json         earlier versions of changed records (who, when, what)
files/                       uploaded documents and attachments, under their stored names

Before disclosing this to a parent or the pupil, review it for information about
other people (other pupils, professionals) and for the exemptions of DPA 2018
Schedule 3 (education, health and social work data).
"""


def _flatten(nested) -> list:
    out = []
    for item in nested:
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def collect(pupil: Pupil) -> dict[type, list]:
    collector = NestedObjects(using="default")
    collector.collect([pupil])
    by_model = defaultdict(list)
    for obj in _flatten(collector.nested()):
        by_model[type(obj)].append(obj)
    return by_model


def build_archive(pupil: Pupil, *, exported_by) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(when=timezone.now().strftime("%d/%m/%Y %H:%M"), who=exported_by))
        for model, objects in sorted(collect(pupil).items(), key=lambda item: item[0]._meta.label):
            label = model._meta.label_lower
            if label.startswith("pupils.historical") or ".historical" in label:
                name = f"history/{label}.json"
            else:
                name = f"records/{label}.json"
            archive.writestr(name, serializers.serialize("json", objects, indent=2))
            for obj in objects:
                if getattr(obj, "scan_status", "clean") != "clean":
                    continue  # in quarantine until the virus scan passes it (send_register.scanning)
                for field in model._meta.get_fields():
                    if isinstance(field, models.FileField):
                        stored = getattr(obj, field.name)
                        if stored and stored.storage.exists(stored.name):
                            with stored.open("rb") as handle:
                                archive.writestr(f"files/{stored.name}", handle.read())
        history = pupil.history.all()
        archive.writestr("history/pupils.historicalpupil.json", serializers.serialize("json", history, indent=2))
        archive.writestr("summary.json", json.dumps({"pupil_id": pupil.pk, "exported_at": timezone.now().isoformat()}))
    return buffer.getvalue()
