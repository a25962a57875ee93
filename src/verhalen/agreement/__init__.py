"""Intercoder-agreement statistics: a pure library on reliability arrays.

Rows are units, columns are coders, missing values are ``nan``. See
:mod:`~verhalen.agreement.coefficients` (percent agreement, Cohen, Fleiss, Krippendorff,
Gwet, Brennan-Prediger), :mod:`~verhalen.agreement.multilabel` (several codes per unit,
set-valued alpha, diagnostics), :mod:`~verhalen.agreement.unitizing` (``uα`` over
character spans) and :mod:`~verhalen.agreement.bootstrap` (seeded confidence intervals).
"""

from verhalen.agreement.bootstrap import (
    FAST_STATISTICS,
    BootstrapResult,
    bootstrap_binary,
    bootstrap_ci,
)
from verhalen.agreement.coefficients import (
    LEVELS,
    Level,
    ReliabilityData,
    all_coefficients,
    brennan_prediger,
    cohen_kappa,
    cohen_kappa_pairs,
    fleiss_kappa,
    general_alpha,
    gwet_ac1,
    krippendorff_alpha,
    n_pairable_values,
    percent_agreement,
    to_json_dict,
)
from verhalen.agreement.multilabel import (
    AgreementWarning,
    binary_reliability_data,
    diagnose,
    diagnose_codes,
    jaccard_distance,
    masi_distance,
    presence_array,
    presence_from_frame,
    set_alpha,
)
from verhalen.agreement.unitizing import (
    Continuum,
    UnitizingResult,
    pooled_unitizing_alpha,
    unitizing_alpha,
    unitizing_alpha_by_code,
)

__all__ = [
    "FAST_STATISTICS",
    "LEVELS",
    "AgreementWarning",
    "BootstrapResult",
    "Continuum",
    "Level",
    "ReliabilityData",
    "UnitizingResult",
    "all_coefficients",
    "binary_reliability_data",
    "bootstrap_binary",
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "cohen_kappa_pairs",
    "diagnose",
    "diagnose_codes",
    "fleiss_kappa",
    "general_alpha",
    "gwet_ac1",
    "jaccard_distance",
    "krippendorff_alpha",
    "masi_distance",
    "n_pairable_values",
    "percent_agreement",
    "pooled_unitizing_alpha",
    "presence_array",
    "presence_from_frame",
    "set_alpha",
    "to_json_dict",
    "unitizing_alpha",
    "unitizing_alpha_by_code",
]
