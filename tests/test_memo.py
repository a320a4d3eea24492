"""The CFO memo: HTML parses, carries the headline numbers and three inline SVG charts, and needs
nothing from the network; Markdown has the same numbers; the CLI writes files atomically."""

from __future__ import annotations

import base64
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import run_cli

from simulator.decision.report import Report, recommend
from simulator.output.formatting import money
from simulator.output.memo import render_memo
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.yaml"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href")]


@pytest.fixture(scope="module")
def report() -> Report:
    return recommend(load_scenario(DEFAULT), paths=2000)


def test_html_memo(report: Report) -> None:
    html = render_memo(report, "html")
    p = _Tags()
    p.feed(html)
    p.close()
    assert p.tags.count("svg") >= 3 and "script" not in p.tags and "link" not in p.tags
    assert p.refs == []  # no external scripts, fonts, stylesheets or images
    assert "<script" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r"(src|href)\s*=\s*[\"']?https?:", html)
    c = report.commit
    assert money(c.recommended) in html and f"{100 * c.discount:.1f}% off" in html
    assert money(report.exposure_avoided) in html and money(report.plan.expected_savings) in html
    for o in report.offers:
        assert o.name in html and money(o.commit) in html
    for heading in (
        "Recommendation",
        "The plan by wave",
        "Forecast",
        "Commitment curve",
        "Vendor offers",
        "Assumptions that drive the answer",
        "Provenance",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert report.scenario.content_hash() in html


def test_markdown_memo(report: Report) -> None:
    md = render_memo(report, "md")
    c = report.commit
    for figure in (money(c.recommended), money(c.expected_cost), money(report.exposure_avoided)):
        assert figure in md
    images = re.findall(r"!\[[^]]*\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", md)
    assert len(images) == 3
    assert all(base64.b64decode(i).decode().startswith("<svg") for i in images)
    assert "http" not in md.replace("http://www.w3.org/2000/svg", "")
    with pytest.raises(ValueError):
        render_memo(report, "pdf")  # type: ignore[arg-type]


_cli = run_cli


def test_cli_memo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    html, md, other = tmp_path / "memo.html", tmp_path / "memo.md", tmp_path / "memo.txt"
    assert _cli(["memo", str(DEFAULT), "-o", str(html), "--paths", "1000"], monkeypatch) == 0
    assert _cli(["memo", str(DEFAULT), "-o", str(md), "--paths", "1000"], monkeypatch) == 0
    assert html.read_text().startswith("<!DOCTYPE html>") and md.read_text().startswith("# ")
    assert (
        _cli(
            ["memo", str(DEFAULT), "-o", str(other), "--paths", "1000", "--format", "md"],
            monkeypatch,
        )
        == 0
    )
    assert other.read_text().startswith("# ")
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\n")
    out = tmp_path / "never.html"
    assert _cli(["memo", str(bad), "-o", str(out)], monkeypatch) == 2
    assert _cli(["memo", str(DEFAULT), "-o", str(tmp_path / "m.pdf")], monkeypatch) == 2
    assert not out.exists() and not (tmp_path / "m.pdf").exists()
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "Traceback" not in err and ".html or .md" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.yaml",
        "memo.html",
        "memo.md",
        "memo.txt",
    ]


def test_markdown_memo_escapes_names_from_the_scenario() -> None:
    from simulator.scenario import loads_scenario

    text = (ROOT / "scenarios" / "startup.yaml").read_text()
    s = loads_scenario(text.replace("name: ", "name: <script>alert(1)</script> ", 1))
    md = render_memo(recommend(s, paths=2000), "md")
    assert "<script>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md


VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "source", "wbr"}


class _Nesting(HTMLParser):
    """Checks that every element is closed, in order (HTMLParser alone accepts anything)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <path ... /> in SVG closes itself

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()


def test_html_memo_is_well_formed_and_leads_with_the_recommendation(report: Report) -> None:
    html = render_memo(report, "html")
    parser = _Nesting()
    parser.feed(html)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    assert report.decision is not None
    lead = re.search(r'<p class="lead">([^<]*)</p>', html)
    assert lead is not None
    assert lead.group(1) == escape(report.decision.rationale)
    assert "Our number on the tier schedule: a commitment of $2,000,000 for 12 months" in html
    assert re.search(r"Prepared \d{2} \w+ \d{4}, \d{2}:\d{2} UTC", html)
