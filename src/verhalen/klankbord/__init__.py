"""Klankbordgroep material (analysis step 5): posters, feedback forms and their summary.

Per practice, each factor goes on an A3 poster with its kenmerkende elementen and short
pseudonymised quotes (:mod:`~verhalen.klankbord.content`, :mod:`~verhalen.klankbord.posters`,
:mod:`~verhalen.klankbord.pdf`). Sessions with mothers, volunteers and professionals are
recorded on a feedback form (:mod:`~verhalen.klankbord.feedback_form`), read back
(:mod:`~verhalen.klankbord.feedback_import`) and summarised with recognition counts and
Borda-count priorities (:mod:`~verhalen.klankbord.summary`)::

    from verhalen import Project
    from verhalen import klankbord

    project = Project.open(".")
    posters = klankbord.project_posters(project, pseudonymised_corpus)
    klankbord.write_posters(project, posters)
    klankbord.write_forms(project, klankbord.form_specs(posters))
    summary = klankbord.feedback_summary(project)
    title, html, markdown = klankbord.feedback_section(summary)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verhalen.klankbord.build import (
        current_versions,
        feedback_dir,
        feedback_summary,
        forms_dir,
        import_feedback,
        klankbord_dir,
        posters_dir,
        project_posters,
        write_forms,
        write_klankbord_index,
        write_posters,
    )
    from verhalen.klankbord.content import GROUPS, Poster, PosterSettings, build_posters
    from verhalen.klankbord.feedback_form import FormSpec, form_specs, form_xlsx
    from verhalen.klankbord.feedback_import import ImportResult, import_form, read_form
    from verhalen.klankbord.session import FeedbackSession, load_sessions
    from verhalen.klankbord.summary import (
        FeedbackSummary,
        feedback_section,
        report_section,
        summarise,
        write_summary,
    )

_LAZY = {
    "GROUPS": "content",
    "Poster": "content",
    "PosterSettings": "content",
    "build_posters": "content",
    "FormSpec": "feedback_form",
    "form_specs": "feedback_form",
    "form_xlsx": "feedback_form",
    "ImportResult": "feedback_import",
    "import_form": "feedback_import",
    "read_form": "feedback_import",
    "FeedbackSession": "session",
    "load_sessions": "session",
    "FeedbackSummary": "summary",
    "feedback_section": "summary",
    "report_section": "summary",
    "summarise": "summary",
    "write_summary": "summary",
    "current_versions": "build",
    "feedback_dir": "build",
    "feedback_summary": "build",
    "forms_dir": "build",
    "import_feedback": "build",
    "klankbord_dir": "build",
    "posters_dir": "build",
    "project_posters": "build",
    "write_forms": "build",
    "write_klankbord_index": "build",
    "write_posters": "build",
}

__all__ = [
    "GROUPS",
    "FeedbackSession",
    "FeedbackSummary",
    "FormSpec",
    "ImportResult",
    "Poster",
    "PosterSettings",
    "build_posters",
    "current_versions",
    "feedback_dir",
    "feedback_section",
    "feedback_summary",
    "form_specs",
    "form_xlsx",
    "forms_dir",
    "import_feedback",
    "import_form",
    "klankbord_dir",
    "load_sessions",
    "posters_dir",
    "project_posters",
    "read_form",
    "report_section",
    "summarise",
    "write_forms",
    "write_klankbord_index",
    "write_posters",
    "write_summary",
]


def __getattr__(name: str) -> object:
    # Lazy, so `verhalen --help` does not load pandas, openpyxl and fpdf2.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'verhalen.klankbord' has no attribute {name!r}")
    return getattr(importlib.import_module(f"verhalen.klankbord.{module}"), name)
