"""Area sales: reservations, the offline queue, changes to an active reservation."""
