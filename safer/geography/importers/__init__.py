"""File formats in: ONS lookups, boundaries, population estimates, deprivation. One module per format.

Importers read and check; ``safer.geography.services`` writes what they yield inside one transaction per file.
"""

from safer.geography.importers.base import GeographyImportError, ImportReport

__all__ = ["GeographyImportError", "ImportReport"]
