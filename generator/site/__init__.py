"""Stages 8-10: figures, pages and downloads from the published values, and the atomic write
of the whole site. Only numbers that passed ``analysis.disclosure`` reach this package."""
