"""The constructs: what they share (base), connections (connection, grants), the plan they read
while building, and one module per kind (container_app is a package, one file per job)."""
