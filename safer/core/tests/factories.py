"""factory_boy factories for the core app."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from safer.core.models import Agency, AgencyKind, Membership, Partnership, RoleGrant, User

TEST_PASSWORD = "correct-horse-battery-staple"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Test Community Safety Partnership {n}")
    slug = factory.Sequence(lambda n: f"test-csp-{n}")
    lad_codes = factory.LazyFunction(lambda: ["E07000135"])


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.COUNCIL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.SelfAttribute("email")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def make_member(agency: Agency, *roles: str, **user_fields: object) -> User:
    """A person working for ``agency`` with ``roles`` in its partnership."""
    user: User = UserFactory(**user_fields)
    Membership.objects.create(user=user, agency=agency)
    for role in roles:
        RoleGrant.objects.create(user=user, partnership=agency.partnership, role=role)
    return user


def confirmed_device(user: User) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
    return device
