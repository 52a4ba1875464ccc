"""The one error every action raises when the rules refuse a change."""


class DomainError(Exception):
    """A change the rules do not allow; the message is for the person who tried it."""
