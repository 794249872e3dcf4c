"""The company's facts and the site's navigation: one source for the Pelican build (pelicanconf.py),
the pages the functions render themselves (the no-JavaScript error page) and the mails' sign-off."""

COMPANY = {
    "name": "JTec IT Solutions",
    "address": "1st Floor, 21-23 Carnmoney Road, Newtownabbey, Co Antrim, BT36 6HL",
    "telephone": "028 9099 2544",
    "telephone_uri": "tel:+442890992544",
}

# Main navigation: (label, url). The footer carries the legal links.
MENU_LINKS = [
    ("Home", "/"),
    ("Services", "/services/"),
    ("Contact", "/contact/"),
    ("News", "/news/"),
    ("Newsletter", "/newsletter/"),
]
FOOTER_LINKS = [
    ("Privacy policy", "/privacy/"),
    ("Cookies", "/cookies/"),
    ("Your data", "/your-data/"),
]

# The cookie banner's question: the words a visitor accepts analytics under. Its id is in the wording lock
# (project/wording_lock.json) like the forms' consent wordings; the consent script records it with the
# choice and asks again when the page carries another (or 12 months after the choice).
COOKIE_BANNER = {
    "id": "analytics-2026-12",
    "text": "May we use Google Analytics cookies to see how this website is used? We set none unless you accept.",
}
ASK_AGAIN_AFTER_MONTHS = 12

# The cookies Google Analytics may set once a visitor accepts analytics: the cookies page lists them and
# the consent script deletes exactly these when consent is withdrawn ("*" ends a name prefix).
ANALYTICS_COOKIES = [
    {"name": "_ga", "purpose": "Tells one visitor from another", "lasts": "2 years"},
    {
        "name": "_ga_*",
        "purpose": "Keeps the state of a visit (the * is our analytics account's id)",
        "lasts": "2 years",
    },
    {
        "name": "_gid",
        "purpose": "Tells one visitor from another for a day (older Google Analytics)",
        "lasts": "24 hours",
    },
    {
        "name": "_gat",
        "purpose": "Limits how often the browser sends data (older Google Analytics)",
        "lasts": "1 minute",
    },
]
