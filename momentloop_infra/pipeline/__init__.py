"""Stack to files: plan, synthesize, validate, then write or check; the one path every caller takes."""
