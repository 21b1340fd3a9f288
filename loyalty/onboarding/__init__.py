"""Getting a new shop's club running: the admin home's setup guide."""
