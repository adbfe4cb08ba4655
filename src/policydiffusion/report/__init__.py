"""Reports: tables, figures, translations and the offline HTML report."""
