"""DfE SEN type codes (DOMAIN.md 1.2, census wording) as reference data."""

from datetime import date

from django.db import migrations

NEED_TYPES = [
    # code, label, broad area, valid_from, valid_to, only with SEN support
    ("SLCN", "Speech, language and communication needs", "CI", None, None, False),
    ("ASD", "Autistic spectrum disorder", "CI", None, None, False),
    ("SPLD", "Specific learning difficulty", "CL", None, None, False),
    ("MLD", "Moderate learning difficulty", "CL", None, None, False),
    ("SLD", "Severe learning difficulty", "CL", None, None, False),
    ("PMLD", "Profound and multiple learning difficulty", "CL", None, None, False),
    ("SEMH", "Social, emotional and mental health", "SEMH", date(2015, 1, 1), None, False),
    ("HI", "Hearing impairment", "SP", None, None, False),
    ("VI", "Vision impairment", "SP", None, None, False),
    ("MSI", "Multi-sensory impairment", "SP", None, None, False),
    ("PD", "Physical disability", "SP", None, None, False),
    ("OTH", "Other difficulty or disability", "OTH", None, None, False),
    # Census rule 2175: NSA only with provision K.
    ("NSA", "SEN support but no specialist assessment of type of need", "OTH", date(2015, 1, 1), None, True),
    # Replaced by SEMH from 2015; kept so that old history still reads.
    ("BESD", "Behaviour, emotional and social difficulties", "SEMH", None, date(2014, 8, 31), False),
]


def add_need_types(apps, schema_editor):
    NeedType = apps.get_model("pupils", "NeedType")
    for order, (code, label, area, valid_from, valid_to, only_k) in enumerate(NEED_TYPES):
        NeedType.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "broad_area": area,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "only_with_sen_support": only_k,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("pupils", "0001_initial")]

    operations = [migrations.RunPython(add_need_types, migrations.RunPython.noop)]
