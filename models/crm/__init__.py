"""The client's history: interactions and planned contacts."""
