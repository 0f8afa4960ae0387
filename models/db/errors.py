"""Domain errors: a rule the user asked to break. The web turns them into a message and a 4xx."""


class DomainError(Exception):
    """Base of every business-rule violation; `message` is shown to the user (Russian)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    pass


class InvalidStatusChange(DomainError):
    pass


class InvalidPremiseData(DomainError):
    pass
