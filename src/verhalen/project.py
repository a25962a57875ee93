"""A research project on disk: ``verhalen.toml`` plus the standard folders.

:class:`Project` is the entry point of the Python API; every stage takes the paths it
needs from it::

    from verhalen import Project
    project = Project.open(".")
    corpus = project.ingest()          # data/raw → data/corpus.jsonl
    df = corpus.segments_df()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from verhalen.config import CONFIG_NAME, ProjectConfig, load_config
from verhalen.corpus import Corpus
from verhalen.errors import ConfigError, VerhalenError
from verhalen.ingest.folder import IngestReport, ingest_folder

T = TypeVar("T")


@dataclass
class Project:
    """Paths and configuration of one research project."""

    root: Path
    config: ProjectConfig

    @classmethod
    def open(cls, root: str | Path = ".") -> Project:
        """Open the project in ``root`` (the folder holding ``verhalen.toml``)."""
        root = Path(root).resolve()
        return cls(root, load_config(root / CONFIG_NAME))

    # ------------------------------------------------------------------ paths

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def corpus_path(self) -> Path:
        return self.root / "data" / "corpus.jsonl"

    @property
    def coded_dir(self) -> Path:
        return self.root / "data" / "coded"

    @property
    def cache_dir(self) -> Path:
        return self.root / "data" / "cache"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def codebook_dir(self) -> Path:
        return self.root / "codebook"

    @property
    def codebook_paths(self) -> list[Path]:
        return [self.root / p for p in self.config.codebook.files]

    def private_path(self, configured: str) -> Path:
        """A path for private material (the pseudonym key): never under data/ or reports/."""
        path = (self.root / configured).resolve()
        for forbidden in (self.data_dir.resolve(), self.reports_dir.resolve()):
            if path == forbidden or forbidden in path.parents:
                raise ConfigError(
                    f"{self.root / CONFIG_NAME} (privacy): {configured!r} lies inside "
                    f"{forbidden.relative_to(self.root)}/ — keep the pseudonym key apart from "
                    'the data and the reports, e.g. key_path = "private/pseudoniemen.json"'
                )
        return path

    @property
    def key_path(self) -> Path:
        return self.private_path(self.config.privacy.key_path)

    # ------------------------------------------------------------------ stages

    def ingest(
        self,
        folder: str | Path | None = None,
        progress: Callable[[Iterable[Path], str], Iterable[Path]] | None = None,
        write: bool = True,
        *,
        stream: bool = False,
        cache: bool = True,
    ) -> tuple[Corpus, IngestReport]:
        """Read ``data/raw`` (or ``folder``) and, if ``write``, store the corpus atomically.

        Parameters
        ----------
        stream
            Write each transcript to ``data/corpus.jsonl`` as it is read and keep none in
            memory; returns a file-backed :class:`~verhalen.corpus.CorpusFile` (for large
            corpora: the loaded 5,000-interview corpus takes about 3 GB). Needs ``write``.
        cache
            When writing, keep parsed transcripts in ``data/cache/ingest/`` and skip files
            that did not change since (same bytes, settings, manifest and code); the
            result is identical. ``write=False`` (``verhalen ingest --check``) never
            touches the cache.
        """
        if stream and not write:
            raise VerhalenError(
                "ingest(stream=True) writes the corpus as it reads — use write=True, or "
                "stream=False to check without writing"
            )
        cache_dir = self.cache_dir / "ingest" if cache and write else None
        corpus, report = ingest_folder(
            folder or self.raw_dir,
            self.config,
            progress,
            cache_dir=cache_dir,
            stream_to=self.corpus_path if stream else None,
        )
        if write and not stream:
            corpus.save(self.corpus_path)
        return corpus, report

    def corpus(self, *, stream: bool = False) -> Corpus:
        """The ingested corpus (``data/corpus.jsonl``); ``stream=True`` gives a file-backed
        :class:`~verhalen.corpus.CorpusFile` that reads transcripts only when needed."""
        if stream:
            return Corpus.open(self.corpus_path)
        return Corpus.load(self.corpus_path)
