"""Stages 1-4: read the config and the catalogue, load every dataset into the tidy table, and
check it. Nothing here knows about indicators' values or pages."""
