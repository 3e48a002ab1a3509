"""Owner metrics (ARCHITECTURE.md §6): formulas, SQL loaders, and the service the actions call."""

from shop.metrics.definitions import NoData
from shop.metrics.service import (
    DEFAULT_OPTIONS,
    DIGEST_METRICS,
    METRICS,
    TREND_METRICS,
    Digest,
    MetricOptions,
    MetricResult,
    UnknownMetric,
    compute,
    digest,
)

__all__ = [
    "DEFAULT_OPTIONS", "DIGEST_METRICS", "METRICS", "TREND_METRICS", "Digest", "MetricOptions",
    "MetricResult", "NoData", "UnknownMetric", "compute", "digest",
]
