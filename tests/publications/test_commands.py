"""The starter-content loader and the synthetic-content generator (acceptance 6)."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from inlogov.publishing import Status
from people.models import Contributor
from publications.models import CaseStudy, Publication, PublicationContributor
from tests.factories import make_publication, make_theme
from themes.models import ServiceArea, Theme

pytestmark = pytest.mark.django_db

CONTENT_APPS = ("themes", "people", "publications")


def full_dump():
    """Every row of every content table, with every column: models, link tables and history."""
    dump = {}
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            dump[model._meta.db_table] = list(model._default_manager.order_by("pk").values())
    return dump


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


# --- load_starter_content -----------------------------------------------------------------


def test_starter_content_loads_the_institutes_items_all_published():
    output = run("load_starter_content")
    assert "Starter content loaded: 41 created, 0 updated, 0 unchanged, 0 already present." in output
    assert Theme.objects.published().count() == 10
    assert Theme.objects.filter(parent__isnull=True).count() == 2
    assert ServiceArea.objects.count() == 9
    assert Contributor.objects.published().count() == 8
    assert Publication.objects.published().count() == 8
    assert CaseStudy.objects.published().count() == 6
    assert not Publication.objects.exclude(status=Status.PUBLISHED).exists()


def test_starter_themes_are_the_four_cos_and_democratic_innovation():
    run("load_starter_content")
    children = Theme.objects.get(slug="co-production").children.order_by("order")
    assert [t.name for t in children] == ["Co-commissioning", "Co-design", "Co-delivery", "Co-assessment"]
    assert list(
        Theme.objects.get(slug="democratic-and-social-innovation").children.values_list("name", flat=True)
    ) == [
        "Participatory governance",
        "Digital participation",
        "Inclusion of disempowered groups",
        "Social innovation in urban governance",
    ]


def credits(slug):
    return list(
        PublicationContributor.objects.filter(publication__slug=slug)
        .order_by("position")
        .values_list("contributor__family_name", "role")
    )


def test_starter_publications_carry_the_catalogue_facts():
    run("load_starter_content")
    handbook = Publication.objects.get(slug="palgrave-handbook-of-co-production")
    assert handbook.kind == "handbook"
    assert handbook.doi == "10.1007/978-3-030-53705-0"
    assert (handbook.year, handbook.publisher, handbook.place) == (2021, "Palgrave Macmillan", "Cham")
    assert credits(handbook.slug) == [("Loeffler", "editor"), ("Bovaird", "editor")]
    assert sorted(handbook.themes.values_list("slug", flat=True)) == [
        "co-assessment", "co-commissioning", "co-delivery", "co-design", "co-production",
    ]

    book = Publication.objects.get(doi="10.1007/978-3-030-55509-2")
    assert [c.doi for c in book.children.order_by("doi")] == [
        "10.1007/978-3-030-55509-2_3",
        "10.1007/978-3-030-55509-2_4",
        "10.1007/978-3-030-55509-2_5",
    ]
    four_cos = Publication.objects.get(doi="10.1007/978-3-030-55509-2_3")
    assert (four_cos.title, four_cos.pages, four_cos.kind) == ("The Four Co's", "75-176", "chapter")
    assert sorted(book.service_areas.values_list("slug", flat=True)) == [
        "community-safety", "health", "social-care",
    ]

    report = Publication.objects.get(isbn="9781910029787")
    assert report.title == "Understanding developments in Participatory Governance"
    assert (report.kind, report.year, report.date) == ("report", 2022, None)
    assert report.publisher == "Manchester Metropolitan University"
    assert credits(report.slug) == [("Bussu", "author"), ("Golan", "author"), ("Hargreaves", "author")]

    fitting_in = Publication.objects.get(doi="10.1007/978-3-030-03008-7_14-1")
    assert fitting_in.parent.title == "The Palgrave Handbook of the Public Servant"
    assert credits(fitting_in.slug) == [("Bartels", "author")]
    assert credits(fitting_in.parent.slug) == [("Sullivan", "editor"), ("Dickinson", "editor")]


def test_starter_people_have_their_relations_and_no_invented_orcid():
    run("load_starter_content")
    relations = dict(Contributor.objects.values_list("family_name", "relation"))
    assert relations == {
        "Loeffler": "associate",
        "Bovaird": "emeritus",
        "Bussu": "staff",
        "Bartels": "staff",
        "Golan": "external",
        "Hargreaves": "external",
        "Sullivan": "external",
        "Dickinson": "external",
    }
    assert not Contributor.objects.exclude(orcid="").exists()
    assert Contributor.objects.get(family_name="Bussu").position == "Associate Professor"


def test_starter_case_studies_have_places_service_areas_themes_and_sources():
    run("load_starter_content")
    places = sorted(CaseStudy.objects.values_list("country", "locality"))
    assert places == [
        ("AU", "Western Australia"),
        ("GB", "Birmingham"),
        ("GB", "East Dunbartonshire, Scotland"),
        ("GB", "Surrey"),
        ("GB", "Walsall"),
        ("IT", "Rimini"),
    ]
    surrey = CaseStudy.objects.get(locality="Surrey")
    assert sorted(surrey.themes.values_list("slug", flat=True)) == [
        "co-assessment", "co-commissioning", "co-production",
    ]
    assert list(surrey.service_areas.values_list("name", flat=True)) == ["Young people's services"]
    assert sorted(surrey.source_publications.values_list("slug", flat=True)) == [
        "co-production-of-public-services-and-outcomes",
        "palgrave-handbook-of-co-production",
    ]


def test_loading_starter_content_twice_leaves_identical_rows():
    run("load_starter_content")
    first = full_dump()
    output = run("load_starter_content")
    assert "0 created, 0 updated, 0 unchanged, 41 already present" in output
    assert full_dump() == first


def test_updating_starter_content_twice_leaves_identical_rows():
    run("load_starter_content")
    first = full_dump()
    output = run("load_starter_content", "--update")
    assert "0 created, 0 updated, 41 unchanged, 0 already present" in output
    assert full_dump() == first


def test_reloading_keeps_what_editors_saved_in_starter_items():
    """`make run` reloads the starter content on every start: it must not undo staff edits."""
    run("load_starter_content")
    report = Publication.objects.get(isbn="9781910029787")
    report.title = "Participatory governance: the revised report title"
    report.save()
    report.contributions.filter(position=0).delete()
    report.themes.clear()

    output = run("load_starter_content")

    assert "0 created, 0 updated, 0 unchanged, 41 already present" in output
    report.refresh_from_db()
    assert report.title == "Participatory governance: the revised report title"
    assert credits(report.slug) == [("Golan", "author"), ("Hargreaves", "author")]
    assert list(report.themes.all()) == []


def test_reloading_adds_a_starter_item_that_was_deleted():
    run("load_starter_content")
    Publication.objects.get(isbn="9781910029787").delete()
    output = run("load_starter_content")
    assert "1 created, 0 updated, 0 unchanged, 40 already present" in output
    assert credits(Publication.objects.get(isbn="9781910029787").slug) == [
        ("Bussu", "author"), ("Golan", "author"), ("Hargreaves", "author")
    ]


def test_update_restores_edited_starter_items_without_duplicating_them():
    run("load_starter_content")
    report = Publication.objects.get(isbn="9781910029787")
    report.title = "Edited by mistake"
    report.save()
    report.contributions.filter(position=0).delete()

    output = run("load_starter_content", "--update")
    assert "0 created, 1 updated, 40 unchanged" in output
    report.refresh_from_db()
    assert report.title == "Understanding developments in Participatory Governance"
    assert credits(report.slug) == [("Bussu", "author"), ("Golan", "author"), ("Hargreaves", "author")]
    assert Publication.objects.count() == 8
    assert PublicationContributor.objects.count() == 12


def test_starter_dry_run_saves_nothing():
    output = run("load_starter_content", "--dry-run")
    assert "Dry run, nothing saved. Would be: 41 created" in output
    assert all(rows == [] for rows in full_dump().values())


# --- generate_synthetic_content -----------------------------------------------------------

SMALL = ("--publications", "120", "--contributors", "30", "--case-studies", "25")


def synthetic_dump():
    """Synthetic content by slug, without primary keys and timestamps (which differ per run)."""
    skip = {"id", "created_at", "updated_at", "parent_id"}

    def rows(model):
        return [
            {k: v for k, v in row.items() if k not in skip}
            for row in model.objects.filter(slug__startswith="synthetic-").order_by("slug").values()
        ]

    return {
        "themes": rows(Theme),
        "areas": rows(ServiceArea),
        "people": rows(Contributor),
        "publications": rows(Publication),
        "cases": rows(CaseStudy),
        "parents": sorted(
            Publication.objects.filter(parent__isnull=False).values_list("slug", "parent__slug")
        ),
        "credits": sorted(
            PublicationContributor.objects.values_list(
                "publication__slug", "position", "contributor__slug", "role"
            )
        ),
        "links": sorted(Publication.themes.through.objects.values_list("publication__slug", "theme__slug"))
        + sorted(
            Publication.service_areas.through.objects.values_list("publication__slug", "servicearea__slug")
        )
        + sorted(CaseStudy.themes.through.objects.values_list("casestudy__slug", "theme__slug"))
        + sorted(CaseStudy.service_areas.through.objects.values_list("casestudy__slug", "servicearea__slug"))
        + sorted(
            CaseStudy.source_publications.through.objects.values_list("casestudy__slug", "publication__slug")
        )
        + sorted(CaseStudy.contributors.through.objects.values_list("casestudy__slug", "contributor__slug"))
        + sorted(Contributor.expertise.through.objects.values_list("contributor__slug", "theme__slug")),
    }


def test_generator_makes_the_requested_numbers_and_reports_progress():
    output = run("generate_synthetic_content", *SMALL, "--seed", "1")
    assert Publication.objects.count() == 120
    assert Contributor.objects.count() == 30
    assert CaseStudy.objects.count() == 25
    for line in ("contributors: 30/30", "publications: 120/120", "case studies: 25/25"):
        assert line in output.splitlines()
    assert "Generated 120 publications, 30 contributors and 25 case studies" in output


def test_progress_writes_a_line_about_every_tenth_when_not_a_terminal():
    from django.core.management.base import OutputWrapper

    from publications.management.commands.generate_synthetic_content import Progress

    out = StringIO()
    progress = Progress(OutputWrapper(out), "publications", 100000)
    for _ in range(50):
        progress.update(2000)
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "publications: 2000/100000"
    assert "publications: 50000/100000" in lines
    assert lines[-1] == "publications: 100000/100000"
    assert len(lines) == 11  # the first batch, then each tenth


def test_same_seed_produces_identical_data():
    run("generate_synthetic_content", *SMALL, "--seed", "42")
    first = synthetic_dump()
    run("generate_synthetic_content", *SMALL, "--seed", "42", "--clear")
    assert synthetic_dump() == first
    assert len(first["publications"]) == 120


def test_different_seeds_produce_different_data():
    run("generate_synthetic_content", *SMALL, "--seed", "1")
    titles_one = [row["title"] for row in synthetic_dump()["publications"]]
    run("generate_synthetic_content", *SMALL, "--seed", "2", "--clear")
    titles_two = [row["title"] for row in synthetic_dump()["publications"]]
    assert titles_one != titles_two


def test_synthetic_content_is_marked_as_synthetic_everywhere():
    run("generate_synthetic_content", *SMALL, "--seed", "3")
    for publication in Publication.objects.all():
        assert publication.title.startswith("[Synthetic] ")
        assert publication.slug.startswith("synthetic-")
        assert "Synthetic abstract" in publication.abstract
    for person in Contributor.objects.all():
        assert person.name.endswith(" (synthetic)")
        assert person.slug.startswith("synthetic-")
        assert "synthetic person" in person.biography
    for case in CaseStudy.objects.all():
        assert case.title.startswith("[Synthetic] ")
        assert "synthetic case study" in case.summary
    assert all(t.name.startswith("[Synthetic] ") for t in Theme.objects.all())
    assert all(a.name.startswith("[Synthetic] ") for a in ServiceArea.objects.all())


def test_synthetic_distributions_look_like_real_output():
    run("generate_synthetic_content", "--publications", "600", "--contributors", "80",
        "--case-studies", "60", "--seed", "5")
    per_publication = {}
    for publication_id, position in PublicationContributor.objects.values_list("publication_id", "position"):
        per_publication.setdefault(publication_id, []).append(position)
    assert len(per_publication) == 600
    assert {len(p) for p in per_publication.values()} == {1, 2, 3, 4, 5, 6}
    assert all(sorted(p) == list(range(len(p))) for p in per_publication.values())

    years = list(Publication.objects.values_list("year", flat=True))
    assert min(years) >= 1990 and max(years) <= 2026
    assert sum(y >= 2010 for y in years) > sum(y < 2010 for y in years)  # skewed recent

    chapters = Publication.objects.filter(kind=Publication.Kind.CHAPTER)
    assert chapters.count() > 50
    assert not chapters.filter(parent__isnull=True).exists()
    assert set(chapters.values_list("parent__kind", flat=True)) <= {"book", "edited_book", "handbook"}
    assert chapters.filter(parent__year=F("year")).count() == chapters.count()

    theme_counts = Publication.objects.annotate(n=Count("themes")).values_list("n", flat=True)
    assert min(theme_counts) >= 1 and max(theme_counts) >= 3
    assert Publication.objects.filter(themes__parent__isnull=False).exists()  # sub-themes used
    assert CaseStudy.objects.values("country").distinct().count() >= 15
    assert ServiceArea.objects.filter(case_studies__isnull=False).distinct().count() >= 8


def test_generator_can_tag_with_starter_themes_and_clear_leaves_starter_content():
    run("load_starter_content")
    starter = full_dump()
    run("generate_synthetic_content", *SMALL, "--seed", "4", "--themes-from-starter")
    assert not Theme.objects.filter(slug__startswith="synthetic-").exists()
    assert Publication.objects.filter(slug__startswith="synthetic-", themes__slug="co-design").exists()

    run("generate_synthetic_content", "--publications", "0", "--contributors", "0",
        "--case-studies", "0", "--seed", "4", "--clear")
    assert full_dump() == starter


def test_generator_refuses_to_duplicate_a_seed_without_clear():
    run("generate_synthetic_content", *SMALL, "--seed", "6")
    with pytest.raises(CommandError, match="already exists: pass --clear"):
        run("generate_synthetic_content", *SMALL, "--seed", "6")
    assert Publication.objects.count() == 120


def test_generator_dry_run_saves_nothing():
    output = run("generate_synthetic_content", *SMALL, "--seed", "7", "--dry-run")
    assert "Dry run: nothing saved" in output
    assert not Publication.objects.exists()
    assert not Contributor.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY writer is PostgreSQL's")
def test_copy_writer_loads_in_order_and_hands_a_failure_to_the_caller():
    from publications.management.commands.generate_synthetic_content import CopyWriter

    theme = make_theme("Copied", slug="copied")
    publication = make_publication()
    people = [Contributor.objects.create(given_name="Ada", family_name=f"Copy {n}", slug=f"ada-copy-{n}") for n in range(5)]
    writer = CopyWriter()
    writer.submit(
        'COPY "publications_publication_themes" ("publication_id", "theme_id") FROM STDIN',
        [(publication.pk, theme.pk)],
    )
    # Credits take their ids from the sequence as they arrive: id order is submission order.
    for position in range(5):
        writer.submit(
            'COPY "publications_publicationcontributor" ("publication_id", "contributor_id", "role", '
            '"position", "created_at", "updated_at") FROM STDIN',
            [(publication.pk, people[position].pk, "author", position, timezone.now(), timezone.now())],
        )
    writer.close()
    assert list(publication.themes.all()) == [theme]
    credits = PublicationContributor.objects.filter(publication=publication).order_by("pk")
    assert [credit.position for credit in credits] == [0, 1, 2, 3, 4]

    # A failing statement: the error reaches the caller, later jobs are dropped, nothing hangs.
    writer = CopyWriter()
    writer.submit('COPY "publications_publication_themes" ("no_such_column") FROM STDIN', [(1,)])
    with pytest.raises(Exception, match="no_such_column"):
        try:
            for _ in range(5):
                writer.submit('COPY "publications_publication_themes" ("theme_id") FROM STDIN', [(theme.pk,)])
        finally:
            writer.close()
    writer.thread.join(timeout=5)
    assert not writer.thread.is_alive()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index and foreign-key deferral is PostgreSQL's")
def test_a_large_load_into_empty_tables_puts_back_every_index_and_foreign_key(monkeypatch):
    """Large loads drop the secondary indexes and foreign keys and build them again at the end
    (here the threshold is lowered so a small load takes that path, twice: the second run
    clears the first, with its deletions' checks still pending)."""
    from publications.management.commands.generate_synthetic_content import Command

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
                "WHERE t.relnamespace = 'public'::regnamespace "
                "UNION ALL SELECT t.relname, c.conname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid WHERE t.relnamespace = 'public'::regnamespace ORDER BY 1, 2"
            )
            return cursor.fetchall()

    before = schema()
    assert any("FOREIGN KEY (contributor_id)" in definition for _table, definition in before)
    assert any("facetrow_theme_ids_idx" in definition for _table, definition in before)
    monkeypatch.setattr(Command, "SCHEMA_AFTER_LOAD", 1)
    dropped = []
    original = Command.defer_schema_upkeep

    def spy(self, publications):
        statements = original(self, publications)
        dropped.append(len(statements))
        return statements

    monkeypatch.setattr(Command, "defer_schema_upkeep", spy)
    run("generate_synthetic_content", *SMALL, "--seed", "7")
    first = synthetic_dump()
    run("generate_synthetic_content", *SMALL, "--seed", "7", "--clear")
    assert dropped[0] > 50 and dropped[1] == dropped[0]  # both runs took the deferred path
    assert schema() == before
    assert synthetic_dump() == first
    assert Publication.objects.count() == 120
    # The facet rows were built while their indexes were away.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM publications_facetrow")
        assert cursor.fetchone()[0] == 120
