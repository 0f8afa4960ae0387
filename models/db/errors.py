"""Domain errors: a rule the user asked to break. The web turns them into a message and a 4xx."""


class DomainError(Exception):
    """Base of every business-rule violation; `message` is shown to the user (Russian).

    `code` and `status` are its answer on the API (`{"error": code}` with that HTTP status)
    and the status of its page: a subclass sets them, the API has no table of its own."""

    code = "validation_error"
    status = 422

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    code = "not_found"
    status = 404


class InvalidStatusChange(DomainError):
    pass


class InvalidPremiseData(DomainError):
    pass


class ChangedMeanwhile(DomainError):
    """Another request changed the same rows at the same time: a constraint broke when the
    writes were sent (nothing of this request is kept; the user may try again)."""

    code = "conflict"
    status = 409
