"""Ingest stage: transcripts in several formats plus a manifest → a validated corpus."""

from verhalen.ingest.folder import IngestReport, ingest_folder, read_transcripts, transcript_files
from verhalen.ingest.manifest import read_manifest
from verhalen.segmentation import segment_transcript

__all__ = [
    "IngestReport",
    "ingest_folder",
    "read_manifest",
    "read_transcripts",
    "segment_transcript",
    "transcript_files",
]
