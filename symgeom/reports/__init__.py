"""Reports and figures (the jinja2 templates are ``symgeom.templates``)."""

__all__: list[str] = []
