"""Area crm: a client's history of contacts and the tasks planned with them."""
