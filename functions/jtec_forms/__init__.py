"""JTec forms: the code that runs in AWS Lambda. Handlers are thin; the plain modules decide."""
