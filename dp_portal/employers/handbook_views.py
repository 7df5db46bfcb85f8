"""The PA Employer Handbook for readers: public, no sign-in. Contents by stage, each section
with the sections before and after it, search, the whole handbook on one printable page and as
a PDF, and what changed recently."""

from __future__ import annotations

from functools import partial

from flask import current_app, render_template, request, url_for

from ..core.downloads import PDF, attachment
from ..core.errors import RuleError
from ..core.permissions import public
from . import bp
from . import handbook_services as services
from .handbook import render_markdown, whole_handbook_links
from .handbook_forms import SearchForm

PDF_NAME = "pa-employer-handbook.pdf"


@bp.route("/employers/handbook")
@public
def handbook():
    pages = services.contents()
    return render_template(
        "employers/handbook/index.html",
        stages=services.by_stage(pages),
        updated=services.last_updated(pages),
        search_form=SearchForm(formdata=None),
    )


@bp.route("/employers/handbook/<slug>")
@public
def handbook_section(slug: str):
    return render_template(
        "employers/handbook/section.html",
        reading=services.reading(slug),
        render=render_markdown,
        search_form=SearchForm(formdata=None),
    )


@bp.route("/employers/handbook/search")
@public
def handbook_search():
    form = SearchForm(request.args)
    hits = None
    if request.args.get("q", "").strip() and form.validate():
        try:
            hits = services.search(form.q.data)
        except RuleError as exc:
            form.q.errors = [str(exc)]
    elif "q" in request.args and not form.errors:
        form.q.errors = ["Enter a word or two to search for, like holiday or pension"]
    return render_template("employers/handbook/search.html", form=form, hits=hits)


def _whole(template: str, pages, base_url: str | None = None) -> str:
    links = whole_handbook_links(url_for("employers.handbook"), [p.slug for p in pages], base_url)
    return render_template(
        template,
        stages=services.by_stage(pages),
        updated=services.last_updated(pages),
        render=partial(render_markdown, heading_level=4, rewrite_link=links),
    )


@bp.route("/employers/handbook/print")
@public
def handbook_print():
    return _whole("employers/handbook/print.html", services.contents())


def _pdf_html(pages) -> str:
    return _whole("employers/handbook/pdf.html", pages, current_app.config["PUBLIC_BASE_URL"])


@bp.route(f"/employers/handbook/{PDF_NAME}")
@public
def handbook_pdf():
    return attachment(services.handbook_pdf(_pdf_html), PDF_NAME, PDF)


@bp.route("/employers/handbook/what-changed")
@public
def handbook_changes():
    return render_template("employers/handbook/changes.html", changes=services.recent_changes())
