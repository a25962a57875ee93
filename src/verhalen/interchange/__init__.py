"""REFI-QDA exchange with ATLAS.ti, MAXQDA, NVivo, QualCoder and others.

* projects (``.qdpx``): :func:`export_qdpx` writes sources, codebook, codings, coders and
  participants; :func:`import_qdpx` reads a project from any of these programs into an
  :class:`ImportResult` (corpus, codebook, codings per coder, drift and data-loss reports);
* codebooks (``.qdc``): :func:`write_qdc` and :func:`read_qdc`.

Everything read is treated as untrusted (:mod:`.safe`); everything written is validated
against the REFI-QDA schemas (:mod:`.schema`) and is byte-identical for equal input::

    from verhalen.interchange import export_qdpx, import_qdpx
    result = import_qdpx("studie.qdpx")
    print(result.drift.summary(), result.loss.counts())
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verhalen.interchange.guids import GuidMap
    from verhalen.interchange.qdc import read_qdc, write_qdc
    from verhalen.interchange.qdpx_export import export_qdpx
    from verhalen.interchange.qdpx_import import ImportResult, import_qdpx
    from verhalen.interchange.report import DriftReport, ExportResult, LossReport
    from verhalen.interchange.safe import Limits, UnsafeInputError

__all__ = [
    "DriftReport",
    "ExportResult",
    "GuidMap",
    "ImportResult",
    "Limits",
    "LossReport",
    "UnsafeInputError",
    "export_qdpx",
    "import_qdpx",
    "read_qdc",
    "write_qdc",
]

_LAZY = {
    "DriftReport": "verhalen.interchange.report",
    "ExportResult": "verhalen.interchange.report",
    "GuidMap": "verhalen.interchange.guids",
    "ImportResult": "verhalen.interchange.qdpx_import",
    "Limits": "verhalen.interchange.safe",
    "LossReport": "verhalen.interchange.report",
    "UnsafeInputError": "verhalen.interchange.safe",
    "export_qdpx": "verhalen.interchange.qdpx_export",
    "import_qdpx": "verhalen.interchange.qdpx_import",
    "read_qdc": "verhalen.interchange.qdc",
    "write_qdc": "verhalen.interchange.qdc",
}


def __getattr__(name: str) -> object:
    # Lazy, so `import verhalen.interchange.qdc` does not load the corpus and pandas.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'verhalen.interchange' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
