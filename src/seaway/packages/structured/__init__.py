"""Structured configuration variables, one module per file format: JSON, YAML, XML and Java properties."""
