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
