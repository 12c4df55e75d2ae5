"""The Bicep emitter: expressions, the value serializer and the file templates."""
