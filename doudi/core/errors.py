"""The one error every action raises when the rules refuse a change."""


class DomainError(Exception):
    """A change the rules do not allow; the message is for the person who tried it."""


class InvalidInput(DomainError):
    """What was given is missing or wrong (a required reason, a case number that does not
    exist), as opposed to a change the case's state does not allow: an API answers 422 for
    this and 409 for the other. ``field``: the input that is wrong, when one is."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class ConflictError(DomainError):
    """Someone else changed the object since the form was shown: the page should be read
    again, not the form sent again."""
