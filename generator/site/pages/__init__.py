"""One module per page type. Each takes the council's ``SiteData`` and returns its files."""
