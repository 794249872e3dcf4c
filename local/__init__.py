"""The embedded local stack behind `make serve`: never deployed, imports `functions/`, never the reverse."""
