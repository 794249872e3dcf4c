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
    ("Newsletter", "/newsletter/"),
]
FOOTER_LINKS = [
    ("Privacy policy", "/privacy/"),
    ("Cookies", "/cookies/"),
    ("Your data", "/your-data/"),
]
