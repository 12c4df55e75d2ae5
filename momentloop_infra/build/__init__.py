"""What constructs build with: typed settings, the synthesis context (parameters, modules,
outputs, the symbol table) and the naming helpers."""
