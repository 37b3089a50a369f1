"""jinja2 LaTeX templates, shipped inside the package as ``symgeom.templates``."""
