"""Refused: what a client sent cannot be done, with every reason at once, each for a field (or None)
and in words for the person, and the status that says why (400 invalid, 409 what it was about changed,
413 too large, 415 wrong type). The web layer answers it; nothing else is written.
(`rate_limits.RateLimited` is the other kind: too many, come back after Retry-After.)"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str | None
    message: str

    def as_json(self):
        return {"field": self.field, "message": self.message}


class Refused(Exception):
    def __init__(self, status, errors):
        super().__init__(f"{status}")
        self.status = status
        self.errors = errors

    @classmethod
    def about(cls, field, message, status=400):
        """One reason, about one field (or None for the whole request)."""
        return cls(status, [FieldError(field, message)])
