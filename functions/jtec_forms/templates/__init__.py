"""Jinja templates shared by the site's theme (Pelican adds this folder to its template path) and the
pages the functions render: the site's header and footer, and the GOV.UK error summary."""
