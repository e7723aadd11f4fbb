"""Motions: drafting in the movement's shape, amendments decided by ballot, and export."""
