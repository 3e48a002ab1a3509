"""`python -m shop.metrics csat --period "last month"`: the metrics CLI on the configured store
(DATABASE_URL, TZ and CURRENCY from the settings)."""

from shop.metrics.cli import metrics_app

if __name__ == "__main__":
    metrics_app(prog_name="python -m shop.metrics")
