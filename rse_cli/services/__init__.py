"""The jobs rse does, as plain functions over a Network and a Store: no typer, no printing."""
