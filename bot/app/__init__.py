"""The application: the one place that builds the storage, the services and the routers and
wires them together (see bootstrap.py)."""
