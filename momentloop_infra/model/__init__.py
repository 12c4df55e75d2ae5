"""Plain records the constructs expand into; the emitter knows nothing about constructs."""
