"""The demo content loads twice without adding anything the second time."""

from __future__ import annotations

import io

import pytest

from safer.core.demo import load_demo
from safer.documents.demo import load_demo_content
from safer.documents.models import LetterTemplate, SubjectAccessRequest

pytestmark = pytest.mark.django_db


def test_demo_content_is_idempotent():
    load_demo()
    out = io.StringIO()
    load_demo_content(out)
    assert "Letter templates: 9 made" in out.getvalue()
    assert SubjectAccessRequest.objects.count() == 1
    load_demo_content(io.StringIO())
    assert LetterTemplate.objects.count() == 9
    assert SubjectAccessRequest.objects.count() == 1
    sar = SubjectAccessRequest.objects.get()
    assert sar.flag() == "due_soon"
