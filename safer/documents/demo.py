"""Demo content: the default letter templates (local examples) for every demo partnership, and one subject access
request in Oadby and Wigston's register, from a person the cases demo knows. Idempotent: a partnership that has
templates gets none, and the request is found by its name and date before one is made."""

from __future__ import annotations

from datetime import timedelta
from typing import TextIO

from django.utils import timezone

from safer.cases.models import Person, name_key
from safer.core.demo import OADBY, PARTNERSHIPS
from safer.core.models import Partnership, User
from safer.documents import letters, subject_access
from safer.documents.models import SubjectAccessRequest

SAR_NAME = "Margaret Hughes"
SAR_DAYS_AGO = 24  # due within a week when the demo is loaded: the register flags it
DPO_EMAIL = "dpo@oadby-wigston.example"


def load_demo_content(stdout: TextIO) -> None:
    made = 0
    for name in PARTNERSHIPS:
        partnership = Partnership.objects.filter(name=name).first()
        if partnership is not None:
            made += letters.ensure_default_templates(partnership)
    stdout.write(f"Letter templates: {made} made\n")
    oadby = Partnership.objects.filter(name=OADBY).first()
    dpo = User.objects.filter(email=DPO_EMAIL).first()
    if oadby is None or dpo is None:
        return
    received = timezone.localdate() - timedelta(days=SAR_DAYS_AGO)
    if SubjectAccessRequest.objects.filter(partnership=oadby, requester_name=SAR_NAME).exists():
        stdout.write("Subject access request: already in the register\n")
        return
    sar = subject_access.register_request(
        partnership=oadby,
        actor=dpo,
        requester_name=SAR_NAME,
        received_on=received,
        notes="Letter received at the council offices asking for everything held about her ASB reports.",
    )
    person = Person.objects.filter(partnership=oadby, name_key=name_key(SAR_NAME)).first()
    if person is not None:
        subject_access.match_person(sar=sar, person=person, actor=dpo)
    stdout.write(f"Subject access request: {sar.reference}, due {sar.due_on:%-d %B %Y}\n")
