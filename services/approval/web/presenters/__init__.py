"""What the officials' pages show, built from the domain's rows and the recap (view-models for the templates): no
HTTP here (the views in web/views.py, web/pages.py and web/operator.py answer requests), and no SQL of its own beyond
the domain modules' reads (services/approval/queries.py)."""
