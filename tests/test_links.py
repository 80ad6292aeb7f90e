"""Every relative link in the course resolves, and a learner can walk from lesson 00 to every lesson.

Checked: markdown cells of notebooks/, solutions/ and exercises/ (*.ipynb) and README.md. Links to the web
(http, https, mailto, ...) are skipped; anchors (#section) and queries are ignored; the file must exist.
"""

from __future__ import annotations

import os
import re
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRST_LESSON = ROOT / "notebooks" / "00_neurons_and_nonlinearity.ipynb"

_FENCED = re.compile(r"^(```|~~~).*?^\1", re.DOTALL | re.MULTILINE)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)
_MD_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+[\"'(][^)]*)?\)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.MULTILINE)
_HTML = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def links_in(markdown: str) -> list[str]:
    """Link targets in a markdown text, code spans, code blocks and LaTeX left out."""
    text = _MATH.sub(" ", _INLINE_CODE.sub(" ", _FENCED.sub(" ", markdown)))
    found = [m.group(1) for m in _MD_LINK.finditer(text)]
    found += [m.group(1) for m in _REF_DEF.finditer(text)]
    found += [m.group(1) for m in _HTML.finditer(text)]
    return [t[1:-1] if t.startswith("<") and t.endswith(">") else t for t in found]


def local_target(source: Path, link: str) -> Path | None:
    """The file a relative link points to, or None for web links and same-page anchors."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    return (ROOT / path.lstrip("/")) if path.startswith("/") else (source.parent / path)


def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


def documents() -> list[Path]:
    docs = [ROOT / "README.md"] if (ROOT / "README.md").exists() else []
    for folder in ("notebooks", "solutions", "exercises"):
        docs += sorted((ROOT / folder).glob("*.ipynb"))
    return docs


DOCUMENTS = documents()


@pytest.mark.parametrize("doc", DOCUMENTS, ids=[str(p.relative_to(ROOT)) for p in DOCUMENTS])
def test_relative_links_resolve(doc):
    broken = []
    for link in links_in(markdown_of(doc)):
        target = local_target(doc, link)
        if target is not None and not target.exists():
            shown = Path(os.path.normpath(target))
            broken.append(f"{link} -> {shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown} (missing)")
    assert not broken, f"{doc.relative_to(ROOT)} has broken links:\n  " + "\n  ".join(broken)


def test_every_lesson_is_reachable_from_lesson_00():
    """Following links between notebooks from lesson 00 reaches every numbered lesson."""
    lessons = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert FIRST_LESSON in lessons, "lesson 00 is missing"
    seen, queue = {FIRST_LESSON}, deque([FIRST_LESSON])
    while queue:
        doc = queue.popleft()
        for link in links_in(markdown_of(doc)):
            target = local_target(doc, link)
            if target is not None and target.suffix == ".ipynb" and target.exists():
                target = target.resolve()
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
    unreachable = [p.name for p in lessons if p.resolve() not in seen]
    assert not unreachable, f"not reachable by links from {FIRST_LESSON.name}: {unreachable}"


def test_the_link_finder_itself():
    text = """
See [lesson 01](01_sigmoid.ipynb) and [the web](https://example.org), an image ![plot](img/a.png "title"),
[a section](#summary), [spaced](<my file.ipynb>), <a href="../README.md#map">map</a>, `[code](not_a_link.py)`,
math $[0, 1](x)$ and

```python
print("[also code](no.py)")
```
[ref]: ../exercises/01_sigmoid.ipynb
"""
    assert links_in(text) == ["01_sigmoid.ipynb", "https://example.org", "img/a.png", "#summary", "my file.ipynb",
                              "../exercises/01_sigmoid.ipynb", "../README.md#map"]
    source = ROOT / "notebooks" / "x.ipynb"
    assert local_target(source, "https://example.org") is None
    assert local_target(source, "#summary") is None
    assert local_target(source, "../README.md#map") == ROOT / "notebooks" / ".." / "README.md"
    assert local_target(source, "my%20file.ipynb") == ROOT / "notebooks" / "my file.ipynb"


def test_the_course_has_links_to_check():
    """Guards against a finder that silently finds nothing: lesson 00 links onward to lesson 01."""
    assert "01_sigmoid.ipynb" in links_in(markdown_of(FIRST_LESSON))
