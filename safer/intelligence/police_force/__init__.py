"""The area's police force: which force's police.uk files make its figures (ADR 0002, 4b)."""
