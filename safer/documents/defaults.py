# ruff: noqa: E501 - letters are written as paragraphs, one a line
"""The default letter templates every partnership starts with: local examples, to be edited before use."""

from __future__ import annotations

from safer.documents.models import LetterKind

EXAMPLE_NOTE = "Local example: edit this wording, with your legal team, before using it."

DEFAULT_TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "Warning letter",
        LetterKind.WARNING,
        "Warning about anti-social behaviour",
        """Dear {{ recipient.name }},

We have received reports of anti-social behaviour that we believe involves you, at or near {{ recipient.address }}.

Anti-social behaviour causes harassment, alarm or distress to others. This letter is a warning: if the behaviour continues, {{ agency.name }} and its partners may take further action, which can include an Acceptable Behaviour Contract, a Community Protection Warning and Notice, or an application to court for a civil injunction.

If you would like to talk about this letter, or you think it has been sent to you in error, please contact me quoting reference {{ case.reference }}.

Yours sincerely,

{{ officer.name }}
{{ agency.name }}
{{ officer.email }}""",
    ),
    (
        "Community Protection Warning",
        LetterKind.CPW,
        "Community Protection Warning: Anti-social Behaviour, Crime and Policing Act 2014, section 43",
        """Dear {{ recipient.name }},

This is a Community Protection Warning issued under section 43 of the Anti-social Behaviour, Crime and Policing Act 2014.

{{ agency.name }} is satisfied that your conduct is having a detrimental effect, of a persistent or continuing nature, on the quality of life of those in the locality, and that the conduct is unreasonable.

You are warned that unless your conduct changes, a Community Protection Notice may be issued to you. Failing to comply with a Community Protection Notice without reasonable excuse is a criminal offence, which may be dealt with by a fixed penalty notice or by prosecution.

The conduct that must stop is: [describe the behaviour, and by when it must stop].

If you wish to discuss this warning, contact {{ officer.name }} at {{ officer.email }}, quoting {{ case.reference }}.

Issued on {{ today }} by {{ officer.name }}, on behalf of {{ agency.name }}.""",
    ),
    (
        "Case closure letter",
        LetterKind.CLOSURE,
        "Your case {{ case.reference }} has been closed",
        """Dear {{ recipient.name }},

Thank you for reporting your concerns to {{ agency.name }}. I am writing to let you know that your case, reference {{ case.reference }}, opened on {{ case.opened_on }}, has now been closed.

[Say what was done and why the case has been closed.]

If the problems start again, please report them and quote your reference, so that your history is kept together. If you are not satisfied with how your reports were dealt with, you can ask for an ASB Case Review.

Yours sincerely,

{{ officer.name }}
{{ agency.name }}""",
    ),
]
