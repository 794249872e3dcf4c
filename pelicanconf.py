"""Pelican settings for local builds (`make serve`); publishconf.py extends them for production."""

import os

AUTHOR = "JTec IT Solutions"
SITENAME = "JTec IT Solutions"
SITEURL = ""
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en-GB"

COMPANY = {
    "name": "JTec IT Solutions",
    "address": "1st Floor, 21-23 Carnmoney Road, Newtownabbey, Co Antrim, BT36 6HL",
    "telephone": "028 9099 2544",
    "telephone_uri": "tel:+442890992544",
}

PATH = "content"
THEME = "theme"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = ["articles"]
STATIC_PATHS = []
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"

# The site is a handful of pages: no blog indexes, archives, categories, tags or authors.
DIRECT_TEMPLATES = []
ARTICLE_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DELETE_OUTPUT_DIRECTORY = True
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# Main navigation: (label, url). The footer carries the legal links.
MENU_LINKS = [
    ("Home", "/"),
    ("Services", "/services/"),
    ("Contact", "/contact/"),
    ("Newsletter", "/newsletter/"),
]
FOOTER_LINKS = [
    ("Privacy policy", "/privacy/"),
    ("Cookies", "/cookies/"),
    ("Your data", "/your-data/"),
]

# Google Analytics loads only after the visitor accepts analytics cookies; empty means never.
GA_MEASUREMENT_ID = os.environ.get("GA_MEASUREMENT_ID", "")

# Policy versions (plugins/policy_versions): the build date decides which version is in force.
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["policy_versions", "site_data"]
POLICIES_PATH = "policies"
POLICY_DATE = os.environ.get("POLICY_DATE") or None
POLICY_DRAFTS = True
