"""manage.py create_partnership and load_demo."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from safer.core.models import Agency, Invitation, Membership, Partnership, RoleGrant, User


@pytest.mark.django_db(transaction=True)
def test_create_partnership_invites_the_first_admin(capsys):
    call_command(
        "create_partnership",
        "Oadby and Wigston CSP",
        "--lad",
        "E07000135",
        "--agency",
        "Oadby and Wigston Borough Council=council",
        "--agency",
        "Leicestershire Police=police",
        "--admin-email",
        "Jo.Bloggs@Example.gov.uk",
        "--admin-name",
        "Jo Bloggs",
        "--admin-role",
        "dpo",
    )
    out = capsys.readouterr().out
    assert "Created Oadby and Wigston CSP with 2 agencies" in out
    assert "/invitations/" in out
    partnership = Partnership.objects.get()
    assert partnership.lad_codes == ["E07000135"]
    invitation = Invitation.objects.get()
    assert invitation.email == "jo.bloggs@example.gov.uk"
    assert sorted(invitation.roles) == ["dpo", "partnership_admin"]
    assert invitation.agency.name == "Oadby and Wigston Borough Council"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--admin-role", "superhero"], "--admin-role: unknown role 'superhero'"),
        (["--agency", "Nobody=wizards"], "unknown kind 'wizards'"),
        (["--agency", "no kind given"], "write it as NAME=KIND"),
        (["--admin-agency", "Somewhere Else"], "--admin-agency 'Somewhere Else' is not one of the --agency names"),
    ],
)
def test_create_partnership_rejects_bad_arguments_by_name(db, args, message):
    base = [
        "Test CSP",
        "--lad",
        "E07000135",
        "--agency",
        "Council=council",
        "--admin-email",
        "a@b.example",
        "--admin-name",
        "A B",
    ]
    with pytest.raises(CommandError, match=message):
        call_command("create_partnership", *base, *args)
    assert not Partnership.objects.exists()


def test_create_partnership_rejects_a_bad_area_code(db):
    with pytest.raises(CommandError, match="'E0700013' is not a local authority district code"):
        call_command(
            "create_partnership",
            "Test CSP",
            "--lad",
            "E0700013",
            "--agency",
            "Council=council",
            "--admin-email",
            "a@b.example",
            "--admin-name",
            "A B",
        )
    assert not Partnership.objects.exists()
    assert not Agency.objects.exists()


def test_load_demo_is_repeatable(db, capsys):
    call_command("load_demo")
    call_command("load_demo")
    assert Partnership.objects.count() == 3
    assert "admin@oadby-wigston.example" in capsys.readouterr().out
    pcso = User.objects.get(email="pcso@leics-police.example")
    # One person, two partnerships: the police officer works in both.
    assert Membership.objects.filter(user=pcso).count() == 2
    assert RoleGrant.objects.filter(user=pcso, role="caseworker").count() == 2
    assert pcso.check_password("safer-demo-2026")
