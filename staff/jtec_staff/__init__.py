"""`jtec`: the console tools of JTec's staff (enquiries, erasure receipts, retention report). Runs on a
staff machine with the normal AWS credentials; never deployed to Lambda."""
