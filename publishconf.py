"""Pelican settings for the production build (`make build`)."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

# The public origin, e.g. https://www.example.co.uk; used for canonical links and the feed.
SITEURL = os.environ.get("SITEURL", "")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
POLICY_DRAFTS = False
DRAFT_SAVE_AS = ""  # a news issue marked `Status: draft` is never published
