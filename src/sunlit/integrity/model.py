"""Findings and the pure arithmetic detectors share: robust statistics and fences."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np


class Severity(StrEnum):
    """How grave a finding is, from its score (``severity_of``)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_WEIGHT: dict[str, float] = {Severity.HIGH: 0.6, Severity.MEDIUM: 0.35, Severity.LOW: 0.15}


@dataclass
class Finding:
    rule: str
    severity: str
    score: float
    summary: str
    evidence: dict[str, Any]
    accounts: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)

    @classmethod
    def scored(
        cls,
        rule: str,
        score: float,
        summary: str,
        evidence: dict[str, Any],
        **named: list[str],
    ) -> Finding:
        """A finding whose severity follows from its score (:func:`severity_of`); ``named``
        lists the accounts, orders or products it names."""
        return cls(rule, severity_of(score), score, summary, evidence, **named)

    def document(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "score": round(min(max(self.score, 0.0), 1.0), 3),
            "summary": self.summary,
            "evidence": self.evidence,
            "accounts": sorted(self.accounts),
            "orders": sorted(self.orders),
            "products": sorted(self.products),
        }


def severity_of(score: float) -> Severity:
    if score >= 0.8:
        return Severity.HIGH
    return Severity.MEDIUM if score >= 0.5 else Severity.LOW


def risk_score(findings: list[Finding]) -> int:
    """0–100: the chance-like union of the findings, each weighted by its severity."""
    clear = 1.0
    for f in findings:
        clear *= 1.0 - SEVERITY_WEIGHT[f.severity] * min(max(f.score, 0.0), 1.0)
    return round(100 * (1.0 - clear))


def tukey_fence(values: list[float] | np.ndarray, k: float = 1.5) -> float:
    """Q3 + k·IQR (the Open Contracting red-flag fence); +inf with fewer than 4 values."""
    arr = np.asarray(values, dtype=np.float64)
    if len(arr) < 4:
        return math.inf
    q1, q3 = np.percentile(arr, [25, 75])
    return float(q3 + k * (q3 - q1))


def robust_z(values: np.ndarray, floor: float) -> np.ndarray:
    """(x − median) / max(1.4826·MAD, floor)."""
    med = float(np.median(values))
    mad = float(np.median(np.abs(values - med))) * 1.4826
    return (values - med) / max(mad, floor)


def poisson_tails(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X ≥ observed) for X ~ Poisson(expected), element by element (1 where observed ≤ 0)."""
    from scipy.stats import poisson

    obs = np.asarray(observed, dtype=np.float64)
    tails = poisson.sf(obs - 1, np.maximum(np.asarray(expected, dtype=np.float64), 1e-9))
    return np.where(obs <= 0, 1.0, tails)


def poisson_tail(observed: int, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected)."""
    return float(poisson_tails(np.asarray([observed]), np.asarray([expected]))[0])


def excess_share(
    counts: np.ndarray, expected: np.ndarray, *, ratio: float, z: float, minimum: int
) -> np.ndarray:
    """Per bin, the share of its count above what was expected, where the excess is both large
    (count ≥ ratio × expected, z-score ≥ z, at least ``minimum`` extra) and 0 elsewhere."""
    exp = np.maximum(expected, 0.5)
    extra = counts - exp
    hit = (counts >= ratio * exp) & (extra >= z * np.sqrt(exp)) & (extra >= minimum)
    share = np.where(counts > 0, extra / np.maximum(counts, 1), 0.0)
    return np.where(hit, np.clip(share, 0.0, 1.0), 0.0)
