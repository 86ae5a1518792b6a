"""An editor's day in real headless Chromium (acceptance point 1 of issue 3).

Logs in as a member of the Editor group (not a superuser), creates a publication with two
contributors in a chosen order and a theme, saves it as a draft, checks the public URL is 404
for a visitor and shows the draft banner to staff, publishes it, and finds it on the public
listing with the authors in that order. The screenshots illustrate docs/editing.md.
"""

import re

import pytest
from playwright.sync_api import expect

from publications.models import Publication
from tests.admin_users import PASSWORD, make_editor
from tests.factories import make_contributor, make_theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pick_autocomplete(page, select_id, term, option_text):
    """Choose `option_text` in the admin's select2 autocomplete next to <select id=select_id>."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(term)
    page.locator(".select2-results__option", has_text=option_text).first.click()


def test_editor_creates_previews_and_publishes_a_publication(live_server, page, browser, screenshots_dir):
    make_editor("editor")
    make_theme("Co-production of public services")
    make_contributor("Elke", "Loeffler")
    make_contributor("Tony", "Bovaird")
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Log in through the form, as an editor would.
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#dashboard-heading")).to_have_text("Editorial dashboard")
    expect(page.locator("#site-name")).to_contain_text("INLOGOV Research Hub")
    expect(page.locator('a[href="/admin/auth/user/"]')).to_have_count(0)
    page.screenshot(path=screenshots_dir / "admin-dashboard.png")

    # Create the publication.
    page.goto(f"{live_server.url}/admin/publications/publication/add/")
    page.locator("#id_title").press_sequentially("Co-production in practice")
    expect(page.locator("#id_slug")).to_have_value("co-production-in-practice")
    page.select_option("#id_kind", "book")
    page.fill("#id_year", "2024")
    editor = page.locator(".field-abstract .ProseMirror >> visible=true").first
    editor.click()
    editor.type("How councils and citizens design services together.")
    pick_autocomplete(page, "id_themes", "Co-prod", "Co-production of public services")
    add_row = page.locator("#contributions-group .add-row a")
    add_row.click()
    add_row.click()
    pick_autocomplete(page, "id_contributions-0-contributor", "Bova", "Tony Bovaird")
    pick_autocomplete(page, "id_contributions-1-contributor", "Loef", "Elke Loeffler")
    expect(page.locator("#id_status")).to_have_value("draft")
    page.screenshot(path=screenshots_dir / "admin-publication-form.png", full_page=True)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    publication = Publication.objects.get(slug="co-production-in-practice")
    assert publication.status == "draft"
    assert publication.abstract == "<p>How councils and citizens design services together.</p>"
    assert list(publication.themes.values_list("name", flat=True)) == ["Co-production of public services"]
    assert [c.contributor.name for c in publication.contributions.order_by("position")] == [
        "Tony Bovaird",
        "Elke Loeffler",
    ]
    assert publication.history.latest().history_user.username == "editor"
    public_url = f"{live_server.url}/publications/co-production-in-practice/"

    # A visitor gets 404; the editor sees the page with the draft banner.
    visitor = browser.new_context()
    assert visitor.new_page().goto(public_url).status == 404
    response = page.goto(public_url)
    assert response.status == 200
    expect(page.locator(".preview-banner")).to_contain_text("Draft - not public")
    expect(page.locator("h1")).to_contain_text("Co-production in practice")
    page.screenshot(path=screenshots_dir / "draft-preview.png")

    # Publish from the list with the bulk action.
    page.goto(f"{live_server.url}/admin/publications/publication/")
    row = page.locator("#result_list tbody tr", has_text="Co-production in practice")
    expect(row).to_contain_text("Draft")
    expect(row).to_contain_text("Tony Bovaird")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "publish_selected")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("Published 1 publication.")
    page.screenshot(path=screenshots_dir / "admin-publish-action.png")
    publication.refresh_from_db()
    assert publication.status == "published"

    # Now the visitor finds it on the public listing, authors in the chosen order.
    listing = visitor.new_page()
    listing.goto(f"{live_server.url}/publications/")
    card = listing.locator("article", has_text="Co-production in practice")
    expect(card).to_have_count(1)
    people = card.locator(".card__people").inner_text()
    assert re.search(r"Tony Bovaird.*Elke Loeffler", people), people
    assert visitor.new_page().goto(public_url).status == 200
    visitor.close()
    assert not [e for e in console_errors if "Content Security Policy" in e or "Refused" in e], console_errors


def test_editor_reorders_contributors_by_dragging(live_server, page, screenshots_dir):
    from tests.factories import make_publication

    make_editor("editor")
    first, second = make_contributor("Elke", "Loeffler"), make_contributor("Tony", "Bovaird")
    publication = make_publication("Dragged", contributors=[first, second], status="draft")
    page.context.add_cookies([])
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/publications/publication/{publication.pk}/change/")
    rows = page.locator("#contributions-group tbody tr.has_original")
    expect(rows).to_have_count(2)
    page.screenshot(path=screenshots_dir / "admin-contributors-inline.png")
    handle = rows.nth(1).locator("td.original p")
    target = rows.nth(0).locator("td.original p")
    handle.drag_to(target, target_position={"x": 5, "y": 1})
    expect(page.locator("#id_contributions-1-position")).to_have_value("1")
    expect(page.locator("#id_contributions-0-position")).to_have_value("2")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert [c.contributor.name for c in publication.contributions.order_by("position")] == [
        "Tony Bovaird",
        "Elke Loeffler",
    ]
    page.click("a.historylink")
    expect(page.locator("#change-history")).to_contain_text("editor")
    page.screenshot(path=screenshots_dir / "admin-history.png")


def test_editor_imports_a_bibtex_file(live_server, page, screenshots_dir):
    from pathlib import Path

    from tests.factories import make_publication

    make_editor("editor")
    make_contributor("Elke", "Loeffler", orcid="0000-0002-1825-0097")
    make_publication("An article already in the hub", year=2012, doi="10.1007/s11266-012-9309-6")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/publications/publication/")
    page.click("text=Import BibTeX or RIS")
    sample = Path(__file__).resolve().parents[1] / "data" / "import_sample.bib"
    page.set_input_files("#id_file", str(sample))
    page.click("input[value='Preview the import']")
    expect(page.locator("#import-summary")).to_contain_text("12 entries found: 10 can be imported")
    expect(page.locator("tr.import-duplicate")).to_have_count(1)
    expect(page.locator("tr.import-invalid")).to_have_count(2)
    page.screenshot(path=screenshots_dir / "admin-import-preview.png", full_page=True)
    page.click("input[value='Import the ticked entries as drafts']")
    expect(page.locator(".messagelist")).to_contain_text("Imported 9 publications from import_sample.bib as drafts.")
    assert Publication.objects.filter(status="draft").count() == 9
