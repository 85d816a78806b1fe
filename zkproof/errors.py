"""The error types of zkproof.

Misuse of the API raises ValueError/TypeError subclasses with a message naming the
argument. A proof that does not verify raises a VerificationError subclass.
"""


class VerificationError(Exception):
    """A proof was rejected. Subclasses say at which stage."""


class MalformedProof(VerificationError):
    """The proof bytes do not decode (wrong length, trailing data, non-canonical)."""


class SumcheckError(VerificationError):
    """A sumcheck round or its final check failed."""


class ClaimMismatch(VerificationError):
    """A claimed value disagrees with what the proof implies."""


class OpeningError(VerificationError):
    """A commitment opening failed."""


class StatementMismatch(VerificationError):
    """A proof file is for another protocol, version or statement."""


class OutOfTableError(ValueError):
    """A lookup input holds values that are not in the table."""
