"""Pelican plugin: gives templates the forms' JSON Schemas, routes and retention schedule, and fails the
build when the privacy policy in force states an enquiry period other than the schedule's, when a
consent wording changed its words without a new id, when a page has no description for search results, or when a news issue has no title, a date
Pelican cannot read, or no description.

Pelican is imported when the plugin registers, not when the package is imported: importing Pelican
replaces the logging classes of the whole process, so the plain check functions stay free of it.
"""


def register():
    from pelican import signals

    from .checks import (
        check_consent_wordings,
        check_enquiry_period,
        check_news_issues,
        check_page_descriptions,
        check_policy_facts,
    )
    from .globals import add_globals

    signals.generator_init.connect(add_globals)
    signals.article_generator_finalized.connect(file_under_news)
    signals.all_generators_finalized.connect(check_enquiry_period)
    signals.all_generators_finalized.connect(check_consent_wordings)
    signals.all_generators_finalized.connect(check_policy_facts)
    signals.all_generators_finalized.connect(check_page_descriptions)
    signals.all_generators_finalized.connect(check_news_issues)


def file_under_news(generator):
    """The site has no categories (CATEGORY_SAVE_AS is empty, so Pelican gives articles none), but
    Pelican's writing of drafts reads each one's category: every news issue is filed under "news"."""
    from pelican.urlwrappers import Category

    news = Category("news", generator.settings)
    for article in [
        *generator.articles,
        *generator.translations,
        *generator.drafts,
        *generator.drafts_translations,
    ]:
        if not hasattr(article, "category"):
            article.category = news
