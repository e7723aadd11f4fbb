"""The membership roll: who the members are, and which chat accounts are theirs."""
