"""verhalen: qualitative analysis of Dutch storytelling interviews.

The Python API mirrors the CLI; start from :class:`verhalen.Project`.
"""

from verhalen.errors import VerhalenError, VerhalenWarning

__version__ = "0.1.0"

__all__ = ["Project", "VerhalenError", "VerhalenWarning", "__version__"]


def __getattr__(name: str) -> object:
    # Lazy, so `import verhalen` (and `verhalen --version`) stays fast.
    if name == "Project":
        from verhalen.project import Project

        return Project
    raise AttributeError(name)
