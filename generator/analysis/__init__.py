"""Stages 5-7: roll measures up the geography, compute indicator values with their
intervals, and apply disclosure control. Pure functions of tables; no files are written."""
