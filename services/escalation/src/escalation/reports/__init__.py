"""Service-quality reports: a projection of each case's facts, the three rates (三率),
daily and monthly summaries, and the service-quality metrics."""
