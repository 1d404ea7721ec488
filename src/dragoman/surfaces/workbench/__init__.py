"""The translators' surface: a REST API (and the browser workbench) over human jobs."""
