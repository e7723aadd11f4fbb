"""The kernel: the words every layer shares (events, effects, errors, markup, time, ports).

It imports only the standard library, so everything else may import it and it imports nothing
of the bot's own: the rules of a feature never leak down into it.
"""
