"""The case exchange format: one case as a JSON document (docs/exchange.md).

``parse`` checks a document and builds the engine's snapshot without the database;
``export`` writes a stored case; ``load`` creates a case from a document through the actions.
"""
