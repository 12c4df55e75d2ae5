"""The emitter: records to file texts (printed line by line, every value through the serializer), and
writing or checking them on disk. It reads records only, never constructs."""
