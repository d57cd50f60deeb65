"""Review tools around the pipeline: ``fmt``, ``diff`` and ``openapi``."""
