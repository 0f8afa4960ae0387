"""What every entity shares: the base, column types, errors, caches, bulk history rows,
versioned writes."""
