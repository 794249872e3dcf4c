"""Pelican settings for local builds (`make serve`); publishconf.py extends them for production."""

import logging
import os
from pathlib import Path

import jtec_forms
from jtec_forms.site_facts import (  # noqa: F401 (settings)
    ANALYTICS_COOKIES,
    ASK_AGAIN_AFTER_MONTHS,
    COMPANY,
    COOKIE_BANNER,
    FOOTER_LINKS,
    MENU_LINKS,
)

AUTHOR = "JTec IT Solutions"
SITENAME = "JTec IT Solutions"
SITEURL = ""
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en-GB"


PATH = "content"
THEME = "theme"
# The header, footer and error summary are shared with the pages the functions render themselves.
THEME_TEMPLATES_OVERRIDES = [str(Path(jtec_forms.__file__).parent / "templates")]
PAGE_PATHS = ["pages"]
STATIC_PATHS = []
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"

# News: each issue of the newsletter is an article under content/news/ (docs/editing-news.md), at a
# permanent address named after its file (a corrected title never moves it), listed newest first at
# /news/ with an Atom feed. Drafts are previewed locally; publishconf.py never publishes them.
ARTICLE_PATHS = ["news"]
SLUGIFY_SOURCE = "basename"
ARTICLE_URL = "news/{slug}/"
ARTICLE_SAVE_AS = "news/{slug}/index.html"
DRAFT_URL = "news/drafts/{slug}/"
DRAFT_SAVE_AS = "news/drafts/{slug}/index.html"
DIRECT_TEMPLATES = ["news"]
NEWS_SAVE_AS = "news/index.html"
FEED_ALL_ATOM = "news/feed.xml"
# Local builds have no SITEURL, so feed links are relative there, as the policy feeds' are; production sets it.
LOG_FILTER = [
    (logging.WARNING, "Feeds generated without SITEURL or FEED_DOMAIN set properly may not be valid")
]
DEFAULT_DATE_FORMAT = "%-d %B %Y"

# No archives, categories, tags or authors.
ARTICLE_LANG_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DELETE_OUTPUT_DIRECTORY = True
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False


# Google Analytics loads only after the visitor accepts analytics cookies; empty means never.
GA_MEASUREMENT_ID = os.environ.get("GA_MEASUREMENT_ID", "")

# Policy versions (plugins/policy_versions): the build date decides which version is in force.
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["policy_versions", "site_data", "asset_versions", "compact_html", "feed_style"]
# Scripts a page needs together, served as one minified file (plugins/asset_versions).
ASSET_BUNDLES = {"js/consent-and-forms.js": ["js/consent.js", "js/forms.js"]}
POLICIES_PATH = "policies"
POLICY_DATE = os.environ.get("POLICY_DATE") or None
POLICY_DRAFTS = True
# Published versions, shipped with the functions (they read the version in force from it): `make lock`.
POLICY_LOCK_FILE = str(Path(jtec_forms.__file__).parent / "policy_lock.json")
# The build fails when the privacy policy in force disagrees with the code (plugins/site_data).
POLICY_FACT_CHECKS = True
