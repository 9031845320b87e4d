"""The monthly evaluation report: one self-contained Chinese HTML file with inline SVG charts."""
