"""One Lambda handler module per function."""
