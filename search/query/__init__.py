"""The query language: parsing a query string into query nodes, and corrections when nothing is found."""
