"""Reservations, their history and the offline queue behind a premise."""
