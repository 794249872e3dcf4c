"""Compiled templates kept between the site's builds (project/site.py's warm builds).

Pelican makes a Jinja environment for each of its generators, and each compiles the templates it
renders: about half the time of a build of this site. Builds forked from the warm process keep what they
compile in one folder (Jinja's bytecode cache), so the next build loads it. A template's compiled code
depends on its source and on the environment's compile settings (its syntax, its options, its extensions
and the names of its filters and tests), so both are in what a template is kept under: an edited
template, or a build with other settings, compiles it again.
"""


def _compile_settings(environment):
    """What, besides a template's source, its compiled code depends on: the environment's syntax and
    options, its extensions, filters and tests (a filter is looked up as a template compiles)."""
    import jinja2

    def named(value):
        if not callable(value):
            return repr(value)
        closure = tuple(cell.cell_contents for cell in getattr(value, "__closure__", None) or ())
        kind = value if hasattr(value, "__qualname__") else type(value)
        return f"{kind.__module__}.{kind.__qualname__}{closure!r}"

    return repr(
        (
            jinja2.__version__,
            [getattr(environment, option) for option in _SYNTAX_AND_OPTIONS],
            sorted(environment.extensions),
            named(environment.autoescape),
            named(environment.finalize),
            sorted(environment.filters),
            sorted(environment.tests),
        )
    )


_SYNTAX_AND_OPTIONS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
)


def keep_compiled_templates(folder):
    """Builds forked from this process keep each template they compile in `folder` (Jinja's bytecode
    cache), so the next build loads it rather than compiling it again: half the time of a build. A
    template is compiled again when its source or the environment's compile settings change."""
    import jinja2
    from pelican import signals

    class CompiledTemplates(jinja2.FileSystemBytecodeCache):
        def get_bucket(self, environment, name, filename, source):
            return super().get_bucket(
                environment, f"{name}|{_compile_settings(environment)}", filename, source
            )

    cache = CompiledTemplates(folder)

    def keep(generator):
        generator.env.bytecode_cache = cache

    signals.generator_init.connect(keep, weak=False)
