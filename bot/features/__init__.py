"""The features: one package each, every one the same shape.

    model.py     dataclasses, statuses and the table of allowed transitions (pure)
    parse.py     text -> spec; raises a ParseError saying what is wrong (pure)
    render.py    model -> text and buttons (pure)
    store.py     every SQL statement of the feature
    service.py   the use cases, over the ports passed to its constructor
    commands.py  the feature's router: thin handlers, parse -> service -> reply

A feature that needs fewer files has fewer. A feature may use another's service (and the model
that service speaks in), never its store; nothing here imports the app.
"""
