"""Analytics: reports from the daily rollups, and the per-day customer counts."""
