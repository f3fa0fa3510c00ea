"""What the cases app announces for apps above it to act on (they connect in their ``AppConfig.ready``)."""

from __future__ import annotations

from django.dispatch import Signal

# An agency's report named someone on an open case it may not see (sent once per report and case, inside the
# transaction that records it). Arguments: case, report, agency (the agency told whom to contact).
known_to_another_agency = Signal()
