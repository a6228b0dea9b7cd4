"""Errors raised by the library; the CLI turns them into exit codes and Chinese messages."""


class KBError(Exception):
    """Base class; ``str(err)`` is a message for the user, in Chinese."""

    exit_code = 2


class UnreadableDocument(KBError):
    """A source file cannot be turned into text (corrupt, encrypted, scanned, empty …)."""

    exit_code = 1

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}：{reason}")
        self.path = path
        self.reason = reason


class IndexMissing(KBError):
    """No index has been built yet."""


class IndexMismatch(KBError):
    """The index on disk was built with another model, format or tokenizer."""


class IndexCorrupt(KBError):
    """An index file fails its checksum."""


class ModelUnavailable(KBError):
    """The embedding model cannot be found locally."""
