"""What the privacy policy states and the access report repeats (UK GDPR Art. 15(1)(c), (e)-(h)): who
receives the data, where it is kept, the rights and how to use each, the complaint to the ICO, where the
data came from, and that no decision is automated. One registry: the site build checks every policy
against it (project/policy_facts.py), and the access report reads it, so the two cannot drift."""

# Where the table and every function run (infra/samconfig.toml deploys here; the policy names it).
DATA_REGION = "eu-west-2"
DATA_REGION_NAME = "London"

# Everyone who processes personal data for the deployed system, by the name the policy must use.
PROCESSORS = {
    "Amazon Web Services": "hosts the website and stores and processes what you send through its forms",
    "Google Analytics": "measures how the website is used, only if you accept analytics cookies",
}
# Of those, who receives what the website holds under a person's address (what an access report shows).
RECIPIENTS_OF_HELD_DATA = ("Amazon Web Services",)

# The headings (editors' guide) under which a policy explains each right and how to use it.
RIGHTS = {
    "access": "Your right of access",
    "rectification": "Your right to rectification",
    "erasure": "Your right to erasure",
    "restriction": "Your right to restrict processing",
    "objection": "Your right to object",
    "portability": "Your right to data portability",
    "withdraw consent": "Your right to withdraw consent",
    "complain": "Your right to complain to the ICO",
}
# How to use the rights Art. 15(1)(e) names, as the access report tells a person.
HOW_TO_USE = {
    "rectification": "To have it corrected: on our contact form, choose “Your personal data”, then “Correct "
    "details we hold about me”.",
    "erasure": "To have it deleted: the Your data page deletes everything held under your address at once.",
    "restriction": "To have its use restricted while a question about it is settled: on the contact form, "
    "choose “Your personal data”, then “Keep my details but stop using them for now”.",
    "objection": "To object to its use: on the contact form, choose “Your personal data”, then “Stop using "
    "my details”; the unsubscribe link in every newsletter stops the news at once.",
}
COMPLAINT = (
    "You can complain to the Information Commissioner's Office (ICO), the UK's data protection regulator: "
    "ico.org.uk, telephone 0303 123 1113. Please tell us first, so we can put it right."
)
SOURCE = "You gave it to us yourself, through this website's forms. None of it comes from anyone else."
AUTOMATED_DECISIONS = "We make no decisions about you by automated means, and we do not profile you."

# Transfers of personal data outside the UK, by processor, with the safeguard each relies on (UK GDPR
# Art. 46; the UK's adequacy regulations). A processor not named here keeps the data in the UK.
TRANSFERS = {
    "Google Analytics": "to the United States: Google LLC is certified under the EU-US Data Privacy Framework "
    "and its UK Extension (the UK-US data bridge)",
}

# The record of processing activities (UK GDPR Art. 30(1)): each purpose with its lawful basis, the people
# and the data concerned, and the retention schedule's kinds it keeps (every kind belongs to exactly one
# activity: a test holds them together). Analytics keeps nothing in our table: its period is the one set in
# Google Analytics (docs/deploying.md's checklist).
ACTIVITIES = (
    {
        "purpose": "Answering enquiries and feedback sent with the website's contact form",
        "lawful_basis": "Legitimate interests (Art. 6(1)(f)) in answering people who contact us; steps at "
        "the person's request before a contract (Art. 6(1)(b))",
        "people": "People who send an enquiry or feedback",
        "data": "Name, email address, telephone number (optional), topic and message",
        "kinds": ("enquiry", "submission", "rate_limit"),
    },
    {
        "purpose": "Sending the newsletter to people who asked for it",
        "lawful_basis": "Consent (Art. 6(1)(a); PECR reg. 22), withdrawn by unsubscribing",
        "people": "Newsletter subscribers and people who asked to subscribe",
        "data": "Name, email address, proof of consent (when, the words agreed to, the policy version), "
        "which issues were sent, bounce and complaint reports",
        "kinds": (
            "pending_subscription",
            "subscription",
            "consent_renewal",
            "newsletter_send",
            "mail_event",
            "used_link",
        ),
    },
    {
        "purpose": "Answering people's requests about their data (access, erasure, correction, "
        "restriction, objection) and proving they were carried out",
        "lawful_basis": "Legal obligation (Art. 6(1)(c); UK GDPR Arts. 12-22)",
        "people": "People who ask about or for the deletion of their data",
        "data": "Email address until the request is confirmed; then references, counts and times only",
        "kinds": ("erasure_request", "erasure_receipt", "erasure_tombstone", "staff_action"),
    },
    {
        "purpose": "Showing that data is deleted when its time is up",
        "lawful_basis": "Legal obligation: accountability for storage limitation (Art. 5(1)(e), 5(2))",
        "people": "Everyone whose data the website kept",
        "data": "The kind of each deleted item and when it expired and was deleted (no personal details)",
        "kinds": ("expiry_audit",),
    },
    {
        "purpose": "Measuring how the website is used",
        "lawful_basis": "Consent (Art. 6(1)(a); PECR reg. 6), given in the cookie banner",
        "people": "Visitors who accept analytics cookies",
        "data": "A random identifier in a cookie, pages viewed, approximate location from the IP address, "
        "device and browser",
        "kinds": (),
        "processor": "Google Analytics",
        "retention": "2 months (set in Google Analytics)",
    },
)
