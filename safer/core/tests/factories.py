"""factory_boy factories for the core app."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.declarations import LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory

from safer.core.models import Agency, AgencyKind, Membership, Partnership, RoleGrant, User

TEST_PASSWORD = "correct-horse-battery-staple"


class PartnershipFactory(DjangoModelFactory[Partnership]):
    class Meta:
        model = Partnership

    name = Sequence(lambda n: f"Test Community Safety Partnership {n}")
    slug = Sequence(lambda n: f"test-csp-{n}")
    lad_codes = LazyFunction(lambda: ["E07000135"])


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    partnership = SubFactory(PartnershipFactory)
    name = Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.COUNCIL


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User

    email = Sequence(lambda n: f"person{n}@example.org")
    full_name = Sequence(lambda n: f"Person {n}")

    @classmethod
    def _create(cls, model_class: type[User], *args: object, **kwargs: object) -> User:
        # Hash the test password once, the way real accounts are saved.
        kwargs["username"] = kwargs["email"]
        user = model_class(**kwargs)
        user.set_password(TEST_PASSWORD)
        user.save()
        return user


def make_member(agency: Agency, *roles: str, **user_fields: object) -> User:
    """A person working for ``agency`` with ``roles`` in its partnership."""
    user = UserFactory.create(**user_fields)
    Membership.objects.create(user=user, agency=agency)
    for role in roles:
        RoleGrant.objects.create(user=user, partnership=agency.partnership, role=role)
    return user


def confirmed_device(user: User) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
    return device
