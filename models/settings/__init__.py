"""Business settings kept in the database and their typed values."""
