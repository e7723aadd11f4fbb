"""Trigger campaigns (open selection, recall, no confidence): members sign until a threshold is
crossed, and the trigger fires exactly once."""
