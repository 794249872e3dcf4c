"""Pelican plugin: every Atom feed the build writes (the news, each policy's versions) opens in a browser as
a readable page, not a page of code: an `xml-stylesheet` instruction names the theme's `css/feed.css`
(by its plain name, which the build keeps beside the hashed one). Feed readers ignore it."""

from pathlib import Path

ATOM = 'xmlns="http://www.w3.org/2005/Atom"'
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


def styled(feed, stylesheet_url):
    """The feed with the stylesheet instruction after its XML declaration (once)."""
    instruction = f'<?xml-stylesheet type="text/css" href="{stylesheet_url}"?>'
    if instruction in feed or ATOM not in feed:
        return feed
    if feed.startswith(DECLARATION):
        return DECLARATION + "\n" + instruction + feed[len(DECLARATION) :]
    return instruction + "\n" + feed


def style_feeds(pelican):
    url = f"{pelican.settings.get('SITEURL', '')}/{pelican.settings.get('THEME_STATIC_DIR', 'theme')}/css/feed.css"
    for path in Path(pelican.output_path).rglob("*.xml"):
        feed = path.read_text(encoding="utf-8")
        path.write_text(styled(feed, url), encoding="utf-8")


def register():
    from pelican import signals

    signals.finalized.connect(style_feeds)
