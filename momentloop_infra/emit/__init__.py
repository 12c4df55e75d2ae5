"""The emitter: records to file texts (jinja2 templates, every value through the serializer), and
writing or checking them on disk. It reads records only, never constructs."""
