"""council-dashboards: one YAML config per council, one static dashboard site of unmet need."""

__version__ = "0.1.0"
