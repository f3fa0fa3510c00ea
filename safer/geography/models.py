"""ONS geography for a partnership's area: districts, wards, LSOAs, boundaries, population, deprivation.

Geography is public open data, shared by every partnership on the installation: a partnership's area is the set of
LSOAs in its local authority districts (``Partnership.lad_codes``). LSOAs carry their vintage (2011 or 2021):
police.uk months and deprivation editions refer to one or the other.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class Vintage(models.TextChoices):
    LSOA2011 = "2011", "2011 LSOAs"
    LSOA2021 = "2021", "2021 LSOAs"


# The editions the pages and other apps read unless told otherwise.
WARD_EDITION = "2019"  # ONS December 2019 wards (the LSOA 2011 → ward 2019 lookup)
IOD_EDITION = "IoD2019"
# The LSOAs each edition of the English indices of deprivation is published on.
EDITION_VINTAGE = {"IoD2019": Vintage.LSOA2011.value, "IoD2025": Vintage.LSOA2021.value}
# Boundary edition per level by default: LSOA boundaries carry the LSOA vintage.
DEFAULT_BOUNDARY_EDITION = {"lsoa": Vintage.LSOA2011.value, "ward": WARD_EDITION, "lad": WARD_EDITION}


class Lad(models.Model):
    """A local authority district (e.g. E07000135 Oadby and Wigston)."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = "local authority district"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Ward(models.Model):
    """An electoral ward of a given edition (e.g. the December 2019 wards)."""

    code = models.CharField(max_length=9)
    name = models.CharField(max_length=120)
    lad = models.ForeignKey(Lad, on_delete=models.CASCADE, related_name="wards")
    edition = models.CharField(max_length=10, help_text="Boundary edition, e.g. 2019")

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["code", "edition"], name="ward_code_edition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Lsoa(models.Model):
    """A Lower Layer Super Output Area (about 1,500 residents), the building block of every small-area figure."""

    code = models.CharField(max_length=9)
    name = models.CharField(max_length=120)
    vintage = models.CharField(max_length=4, choices=Vintage.choices)
    lad = models.ForeignKey(Lad, on_delete=models.CASCADE, related_name="lsoas")
    ward = models.ForeignKey(Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="lsoas")

    class Meta:
        ordering: ClassVar[list[str]] = ["code"]
        verbose_name = "LSOA"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["code", "vintage"], name="lsoa_code_vintage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class LsoaChange(models.TextChoices):
    """ONS change indicator (CHGIND) from LSOA 2011 to LSOA 2021."""

    UNCHANGED = "U", "Unchanged"
    SPLIT = "S", "Split into two or more 2021 LSOAs"
    MERGED = "M", "Merged with other 2011 LSOAs"
    IRREGULAR = "X", "Redesigned irregularly"


class LsoaSuccessor(models.Model):
    """A 2021 LSOA code and the 2011 LSOA its rows are counted in, from the ONS LSOA (2011) to LSOA (2021) lookup.

    police.uk writes 2021 codes from June 2023 (reference F1). Figures stay on 2011 LSOAs so that a trend reads the
    same areas before and after: an unchanged LSOA keeps its code; each part of a split 2011 LSOA is counted in it
    (exact); a 2021 LSOA made by merging (M) or an irregular redesign (X) spans several 2011 LSOAs and is counted in
    the first of them by code (``counted_in``; the others are kept as rows with ``counted_in`` False).
    """

    code_2021 = models.CharField(max_length=9)
    name_2021 = models.CharField(max_length=120, blank=True)
    lsoa = models.ForeignKey(Lsoa, on_delete=models.CASCADE, related_name="successors")
    change = models.CharField(max_length=1, choices=LsoaChange.choices)
    counted_in = models.BooleanField(default=True, help_text="Rows with this 2021 code are counted in this LSOA")

    class Meta:
        ordering: ClassVar[list[str]] = ["code_2021", "lsoa__code"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["code_2021", "lsoa"], name="lsoa_successor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code_2021} → {self.lsoa_id} ({self.change})"


class BoundaryLevel(models.TextChoices):
    LAD = "lad", "Local authority district"
    WARD = "ward", "Ward"
    LSOA = "lsoa", "LSOA"


class Boundary(models.Model):
    """A generalised boundary polygon as GeoJSON geometry (WGS84), served locally to the maps."""

    level = models.CharField(max_length=10, choices=BoundaryLevel.choices)
    code = models.CharField(max_length=9)
    edition = models.CharField(max_length=10)
    geometry = models.JSONField()
    source = models.CharField(max_length=200)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["level", "code", "edition"], name="boundary_unique")
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.code} ({self.edition})"


class Population(models.Model):
    """Residents of an LSOA in a mid-year estimate, with age bands where the source gives them."""

    lsoa = models.ForeignKey(Lsoa, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(help_text="Mid-year of the estimate, e.g. 2019 for mid-2019")
    total = models.PositiveIntegerField()
    aged_0_15 = models.PositiveIntegerField(null=True, blank=True)
    aged_16_59 = models.PositiveIntegerField(null=True, blank=True)
    aged_60_plus = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=200)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["lsoa", "year"], name="population_lsoa_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.lsoa_id} mid-{self.year}: {self.total}"


class Deprivation(models.Model):
    """English Indices of Deprivation for one LSOA in one edition.

    Rank 1 = most deprived LSOA in England; decile 1 = most deprived 10 %. ``domains`` holds each domain's rank and
    decile by the domain's published name, e.g. ``{"Crime": {"rank": 9141, "decile": 3}}``.
    """

    lsoa = models.ForeignKey(Lsoa, on_delete=models.CASCADE, related_name="deprivation")
    edition = models.CharField(max_length=10, help_text="e.g. IoD2019 (on 2011 LSOAs)")
    imd_rank = models.PositiveIntegerField()
    imd_decile = models.PositiveSmallIntegerField()
    imd_score = models.FloatField(null=True, blank=True)
    domains = models.JSONField(default=dict, help_text="Domain name → {rank, decile}")

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["lsoa", "edition"], name="deprivation_lsoa_edition_unique"),
            models.CheckConstraint(condition=models.Q(imd_decile__gte=1, imd_decile__lte=10), name="imd_decile_1_10"),
        ]

    def __str__(self) -> str:
        return f"{self.lsoa_id} {self.edition}: decile {self.imd_decile}"


class PostcodeLsoaSource(models.TextChoices):
    DIRECTORY = "directory", "the ONS Postcode Directory's own LSOA"
    BOUNDARY = "boundary", "its position, inside the LSOA boundary"


class Postcode(models.Model):
    """Where a postcode is (OS Code-Point Open or the ONS Postcode Directory), its district and ward, and the LSOA it
    is placed in: the Directory's own where that file was loaded, else the LSOA whose boundary holds its position.
    Open data (OGL v3.0); no personal data."""

    code = models.CharField(max_length=8, unique=True, help_text='Upper case, one space: "LE18 4PA"')
    easting = models.PositiveIntegerField()
    northing = models.PositiveIntegerField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    lad_code = models.CharField(max_length=9)
    ward_code = models.CharField(max_length=9, blank=True)
    lsoa_code = models.CharField(max_length=9, blank=True)
    lsoa_source = models.CharField(max_length=10, choices=PostcodeLsoaSource.choices, blank=True)
    quality = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Code-Point positional quality: 10 best; 50 estimated from neighbours"
    )
    source = models.CharField(max_length=200)

    class Meta:
        ordering: ClassVar[list[str]] = ["code"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["lad_code"], name="postcode_lad")]

    def __str__(self) -> str:
        return self.code
