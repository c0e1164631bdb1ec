"""Sphinx configuration of the course website; `make site` (tools/site.py) runs it.

tools/site.py lays out a source tree that mirrors the repository (index.md at the top, then
notebooks/, docs/instructor-guide.md, BENCHMARKS.md, README.md for the landing page to include),
builds it with this file, and adds the decks under slides/. The notebooks are rendered as
committed, outputs and saved widget state included; nothing is executed. MathJax, require.js and
the widget renderer are served from the site itself (npm packages), so it works offline.
"""

from pathlib import Path

try:
    from tools import repository
except ModuleNotFoundError as error:  # sphinx-build started by hand, outside the repository root
    raise SystemExit("build the site with `make site` (python -m tools.site)") from error

ROOT = Path(__file__).resolve().parents[1]

course = repository.settings()

project = "Opening the black box"
author = "the course authors"
copyright = "the course authors, MIT licence"  # noqa: A001  (Sphinx's name)
html_title = "Opening the black box"
language = "en"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]  # README is included, not a page
html_static_path = [str(ROOT / "docs" / "_static")]
html_css_files = ["course.css"]
html_favicon = str(ROOT / "docs" / "_static" / "favicon.svg")
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = True  # the download button offers the .ipynb

# -- notebooks: rendered as committed, never executed --------------------------------------------
nb_execution_mode = "off"
nb_output_stderr = "remove"  # log lines and progress bars, as in the decks
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# the saved widget state renders with the widget manager from the site's own _static/
nb_ipywidgets_js = {
    "require.js": {},
    "widgets-base.js": {},
    "@jupyter-widgets/html-manager/dist/embed-amd.js": {},
}
suppress_warnings = ["mystnb.unknown_mime_type"]

# -- MathJax 3 from the npm package, served by the site ------------------------------------------
mathjax_path = "mathjax/tex-mml-chtml.js"
mathjax3_config = {"loader": {"load": ["[tex]/ams"]}, "tex": {"packages": {"[+]": ["ams"]}}}

# -- the book theme, its launch buttons and the repository button, from the one setting ----------
html_theme = "sphinx_book_theme"
html_context = {"default_mode": "light"}  # the figures are drawn on white
html_theme_options = {
    "repository_url": course["repository"],
    "repository_branch": course["branch"],
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": False,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "launch_buttons": {
        "notebook_interface": "jupyterlab",
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "jupyterhub_url": course["jupyterhub"],
    },
}


def add_slides_button(app, pagename, templatename, context, doctree):
    """A "Slides" button in the header of every chapter: its deck, under slides/ (tools/site.py)."""
    if pagename.startswith("notebooks/") and "header_buttons" in context:
        deck = f"slides/{pagename.split('/')[-1]}.slides.html"
        context["header_buttons"].insert(
            0,
            {
                "type": "link",
                "url": context["pathto"](deck, 1),
                "tooltip": "Open this chapter as a slide deck",
                "icon": "fas fa-chalkboard",
                "text": "Slides",
                "label": "slides-button",
            },
        )


def setup(app):
    app.connect("html-page-context", add_slides_button, priority=502)
