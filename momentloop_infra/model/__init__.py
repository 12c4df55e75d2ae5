"""Plain records: files, resources, parameters, outputs, names, roles, findings and the Project.
They hold no construct, so the emitter and validation read them knowing nothing of constructs."""
