"""Signing by message, the same for model motions (M12) and trigger campaigns (T2)."""
