"""The exceptions policy-kg raises on purpose.

All derive from :class:`KGError`; the command line prints their message on one line and exits
non-zero, so a message must say what was wrong, where (file, line or byte offset) and what would
be valid.
"""
from __future__ import annotations

__all__ = [
    "KGError",
    "InputError",
    "DecodeError",
    "LexiconError",
    "ModelNotInstalledError",
    "ModelFetchError",
    "ConfigError",
    "OutputError",
    "StoreError",
    "QueryError",
    "PushError",
    "ValidationError",
]


class KGError(Exception):
    """Base class of every error policy-kg raises deliberately."""


class InputError(KGError):
    """An input path does not exist or holds no readable text file."""


class DecodeError(InputError):
    """A file's bytes decode under none of the supported encodings.

    Raised with the file name and the byte offset of the first undecodable byte.
    """

    def __init__(self, path: str, offset: int, tried: tuple):
        self.path = path
        self.offset = offset
        self.tried = tried
        super().__init__(
            f"{path}: cannot decode byte at offset {offset} "
            f"(tried {', '.join(tried)}); file skipped"
        )


class LexiconError(KGError):
    """A lexicon or pattern file has a malformed line (the message gives file:line)."""


class ModelNotInstalledError(KGError):
    """The pkuseg segmentation model is not in the cache; the message gives the install command."""


class ModelFetchError(KGError):
    """Fetching or verifying the pkuseg model failed (network, pip or checksum)."""


class ConfigError(KGError):
    """A setting has a value outside its valid choices."""


class OutputError(KGError):
    """An output file could not be written."""


class StoreError(KGError):
    """The triple store is missing, locked by another process, or has no such graph or document."""


class QueryError(KGError):
    """A SPARQL query is malformed, is an update without ``--update``, or has a bad parameter."""


class PushError(KGError):
    """Sending graphs to a remote store failed; the message names the endpoint, graph and reply."""


class ValidationError(KGError):
    """The graph breaks a SHACL shape or the ontology; the message gives the first violations."""
