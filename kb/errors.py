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


# Why a parser gave up, by the class of what it raised (matched by name so lxml or pypdf need not
# be imported here): the user reads Chinese, the class name goes to the debug log.
_DAMAGE_REASONS = {
    "BadZipFile": "压缩包结构损坏", "XMLSyntaxError": "内部 XML 内容损坏", "KeyError": "缺少必需的组成部分",
    "PdfReadError": "PDF 结构损坏", "PdfStreamError": "PDF 数据流损坏", "PyPdfError": "PDF 结构损坏",
    "RecursionError": "对象嵌套过深", "MemoryError": "内存不足", "UnicodeDecodeError": "文字编码无法识别",
    "NotImplementedError": "使用了不支持的特性", "DependencyError": "缺少解密所需的组件",
}


def damage_reason(exc: BaseException) -> str:
    """A short Chinese reason for a parser's exception (no English, no class name)."""
    import logging

    logging.getLogger("kb").debug("parser error: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        return os_reason(exc)
    for cls in type(exc).__mro__:
        if cls.__name__ in _DAMAGE_REASONS:
            return _DAMAGE_REASONS[cls.__name__]
    return "内容不符合格式规范"


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
