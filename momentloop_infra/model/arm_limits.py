"""Azure Resource Manager's limits per template ("Resolve errors for template limits"): every file
the synthesizer writes stays within them, and validation (ML210) checks that it does."""

MAX_PARAMS = 256
MAX_VARIABLES = 512
MAX_RESOURCES = 800  # resources and module deployments, every copy of a loop counted
MAX_OUTPUTS = 64
