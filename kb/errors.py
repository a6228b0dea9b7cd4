"""Errors raised by the library; the CLI turns them into exit codes and Chinese messages."""

import errno

# What the operating system says, in Chinese (its own strerror is English): the common cases.
_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.EISDIR: "这是一个文件夹，不是文件", errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ENOSPC: "磁盘空间不足", errno.EROFS: "所在磁盘是只读的", errno.ENAMETOOLONG: "文件名太长",
    errno.EEXIST: "已存在同名文件", errno.ELOOP: "符号链接成环", errno.EIO: "读写出错（磁盘或网络盘故障）",
    errno.EMFILE: "打开的文件太多", errno.EDQUOT: "超出磁盘配额",
}


def os_reason(exc: OSError) -> str:
    """``exc`` (a file could not be read or written) as a short Chinese reason."""
    return _OS_REASONS.get(exc.errno, exc.strerror or str(exc))


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


class IngestBusy(KBError):
    """Another ingest holds the index (the CLI exits with 3, the API answers 409)."""

    exit_code = 3


class IndexMissing(KBError):
    """No index has been built yet."""


class IndexMismatch(KBError):
    """The index on disk was built with another model, format or tokenizer."""


class IndexCorrupt(KBError):
    """An index file fails its checksum."""


class ModelUnavailable(KBError):
    """The embedding model cannot be found locally."""
