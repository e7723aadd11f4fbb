"""Model-motion campaigns: a motion published for branches to pass and supporters to sign."""
