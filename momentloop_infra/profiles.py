"""Size profiles: `default` is the seed's minimum-cost set, `scale-up` its larger set."""

PROFILES: tuple[str, ...] = ("default", "scale-up")
