"""The report stage: the research report per practice and per role.

Typical use (the pipeline passes the pseudonymised corpus)::

    from verhalen.report import build_report, ReportOptions
    manifest = build_report(corpus, codings_df, codebook, project.config,
                            project.reports_dir, cross_case=cross)

The quote selection is public for other stages (the klankbord posters)::

    from verhalen.report import select_quotes, factor_codes
    quotes = select_quotes(segments_df, codings_df, factor_codes(codebook, "structuur"))

Names are imported lazily, so ``select_quotes`` does not load matplotlib or scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verhalen.report.build import ExtraSection, ReportManifest, build_report
    from verhalen.report.pages import ReportOptions
    from verhalen.report.pooling import POOLING_RULES, pool_codings
    from verhalen.report.quotes import (
        Quote,
        QuoteScore,
        factor_codes,
        select_quotes,
        theme_keywords,
    )
    from verhalen.report.tables import AttributeNames, Table, participants_table

_WHERE = {
    "ExtraSection": "build",
    "ReportManifest": "build",
    "build_report": "build",
    "ReportOptions": "pages",
    "POOLING_RULES": "pooling",
    "pool_codings": "pooling",
    "Quote": "quotes",
    "QuoteScore": "quotes",
    "factor_codes": "quotes",
    "select_quotes": "quotes",
    "theme_keywords": "quotes",
    "AttributeNames": "tables",
    "Table": "tables",
    "participants_table": "tables",
}

__all__ = [
    "POOLING_RULES",
    "AttributeNames",
    "ExtraSection",
    "Quote",
    "QuoteScore",
    "ReportManifest",
    "ReportOptions",
    "Table",
    "build_report",
    "factor_codes",
    "participants_table",
    "pool_codings",
    "select_quotes",
    "theme_keywords",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'verhalen.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f"verhalen.report.{module}"), name)
