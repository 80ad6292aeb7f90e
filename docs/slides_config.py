"""nbconvert configuration for `make slides`: one reveal.js slide per section of a lesson.

    jupyter nbconvert --config docs/slides_config.py --to slides notebooks/01_sigmoid.ipynb --output-dir build/slides

The lessons carry no slide metadata, so this preprocessor assigns it while converting (the notebook file is not
changed): a markdown cell with a level-1 or level-2 heading starts a new slide, a level-3 heading a sub-slide
(reveal.js: press the down arrow), every other cell continues the current slide. Code cells are kept with their
stored outputs (figures included); nothing is executed and nothing is downloaded: the HTML loads reveal.js from a
CDN when it is opened.

Figures get alternative text: `import acts` in the kernel stores a description of each figure in its output's
metadata ({"image/png": {"alt": ...}}, acts/plotting.py), and the template docs/templates/slides_alt (reveal.js
plus one block) writes it into the <img> tag. Lessons executed before that mechanism existed have no such
metadata and still get nbconvert's "Alternative text is missing" warning: re-execute them (`make execute`).
"""

import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

HEADING = re.compile(r"^(#{1,3})\s", re.MULTILINE)


def slide_type(cell) -> str:
    """'slide' for a cell holding a # or ## heading, 'subslide' for ###, '-' (continue) for the rest."""
    if cell.cell_type != "markdown":
        return "-"
    levels = [len(m.group(1)) for m in HEADING.finditer(cell.source)]
    if not levels:
        return "-"
    return "slide" if min(levels) <= 2 else "subslide"


class SectionSlides(Preprocessor):
    """Give every cell of a notebook without slide metadata a slide type from its headings."""

    def preprocess(self, nb, resources):
        if any(cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells):
            return nb, resources          # an author's own slide layout wins
        for cell in nb.cells:
            cell.metadata["slideshow"] = {"slide_type": slide_type(cell)}
        return nb, resources


c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)
c.SlidesExporter.preprocessors = [SectionSlides]
c.SlidesExporter.extra_template_basedirs = [str(Path(__file__).resolve().parent / "templates")]
c.SlidesExporter.template_name = "slides_alt"  # reveal.js with the figures' alt text
c.SlidesExporter.reveal_scroll = True     # long slides (a figure and its code) scroll instead of being cut off
