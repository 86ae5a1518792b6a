"""Generate synthetic publications, contributors and case studies for load and performance tests.

Everything generated is marked as synthetic wherever it can appear: titles start with
"[Synthetic]", slugs with "synthetic-", people's display names end in "(synthetic)", and every
abstract, biography and case-study text says it is synthetic.

The output depends only on the options and `--seed` (one `random.Random(seed)`), so the same
command produces the same content every time; only `created_at`/`updated_at` reflect when it ran.
Slugs carry the seed, so data sets from different seeds can sit side by side.

Rows are written in batches: publications and link rows (authors, themes, service areas) with
COPY on PostgreSQL, everything else with `bulk_create`. Neither sends model signals, so no
django-simple-history entries are written for synthetic content (nor removed by `--clear`);
that is deliberate: synthetic items have no editorial history worth keeping.
"""

import queue
import random
import sys
import threading
import time
from itertools import islice

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from inlogov.caching import bump_content_version
from inlogov.identifiers import isbn13_check
from inlogov.publishing import Status
from people.models import Contributor
from publications import starter_content
from publications.models import CaseStudy, Publication, PublicationContributor
from themes.models import ServiceArea, Theme

PREFIX = "synthetic-"
MARK = "[Synthetic]"
BATCH = 2000

GIVEN_NAMES = (
    "Amira", "Ben", "Chen", "Dara", "Elif", "Femi", "Grace", "Hana", "Ivan", "Jonas", "Kavya",
    "Lena", "Marek", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sami", "Tomasz", "Uma",
    "Vera", "Wei", "Xavier", "Yusuf", "Zofia", "Aoife", "Bruno", "Carmen", "Deniz", "Emeka",
    "Farah", "Gustav", "Ines", "Jamal", "Kenji", "Lucia", "Mateo", "Noor", "Olga", "Pablo",
    "Rania", "Stefan", "Thandi", "Ana", "Ewa",
)
FAMILY_NAMES = (
    "Adeyemi", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad",
    "Ivanova", "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrova",
    "Quinn", "Rossi", "Schmidt", "Tanaka", "Ulrich", "Van Dijk", "Walsh", "Xu", "Yilmaz",
    "Zielinski", "Andersen", "Bianchi", "Costa", "Novak", "Horvat", "Murphy", "Santos",
    "Lindqvist", "Papadopoulos", "Kaya", "Mensah", "Silva", "Kim", "Nowak", "Brennan",
    "Hughes", "Patel", "Singh", "Ferreira", "Molina",
)
POSITIONS = (
    "Professor", "Associate Professor", "Assistant Professor", "Lecturer", "Senior Lecturer",
    "Research Fellow", "Doctoral Researcher", "Policy Officer", "Practitioner",
)
HONORIFICS = ("", "", "", "Dr", "Dr", "Professor")
TOPICS = (
    "Co-production", "Participatory budgeting", "Citizen juries", "Digital participation",
    "Community safety", "Social care", "Public health", "Neighbourhood renewal", "Local democracy",
    "Service commissioning", "Outcome-based budgeting", "Volunteering", "Urban governance",
    "Social innovation", "Public value", "Place-based leadership", "Youth services", "Housing",
    "Climate action", "Deliberative democracy", "Inclusion", "Public sector reform",
)
CONCERNS = (
    "in local government", "across European cities", "in small municipalities",
    "after austerity", "in practice", "from the citizen's side", "and public outcomes",
    "in times of crisis", "between state and community", "in comparative perspective",
    "for frontline staff", "at scale",
)
FRAMES = (
    "{topic} {concern}", "Rethinking {topic} {concern}", "{topic}: lessons {concern}",
    "What works in {topic} {concern}", "The politics of {topic} {concern}",
    "Evaluating {topic} {concern}", "Towards {topic} {concern}",
)
PUBLISHERS = (
    "Palgrave Macmillan", "Policy Press", "Routledge", "Edward Elgar", "Bristol University Press",
    "Oxford University Press", "University of Birmingham", "SAGE",
)
JOURNALS = (
    "Public Management Review", "Local Government Studies", "Policy & Politics",
    "Public Administration", "Voluntas", "Journal of Public Deliberation",
)
PLACES = ("Cham", "Bristol", "London", "Cheltenham", "Oxford", "Birmingham", "Abingdon")
# (ISO code, localities): case studies spread over many countries.
COUNTRIES = (
    ("GB", ("Leeds", "Cardiff", "Glasgow", "Norwich", "Belfast", "Bradford")),
    ("IE", ("Cork", "Galway")), ("FR", ("Lyon", "Lille", "Nantes")), ("DE", ("Leipzig", "Bremen")),
    ("NL", ("Utrecht", "Groningen")), ("BE", ("Ghent", "Liege")), ("IT", ("Bologna", "Turin")),
    ("ES", ("Bilbao", "Valencia")), ("PT", ("Porto", "Braga")), ("DK", ("Aarhus", "Odense")),
    ("SE", ("Malmo", "Umea")), ("NO", ("Bergen", "Tromso")), ("FI", ("Tampere", "Oulu")),
    ("PL", ("Gdansk", "Lodz")), ("CZ", ("Brno",)), ("AT", ("Graz",)), ("CH", ("Basel",)),
    ("GR", ("Thessaloniki",)), ("EE", ("Tartu",)), ("US", ("Boston", "Portland", "Austin")),
    ("CA", ("Halifax", "Winnipeg")), ("AU", ("Adelaide", "Hobart")), ("NZ", ("Dunedin",)),
    ("BR", ("Porto Alegre", "Recife")), ("ZA", ("Durban",)), ("KE", ("Kisumu",)),
    ("IN", ("Pune", "Kochi")), ("JP", ("Sendai",)), ("KR", ("Seoul",)), ("CL", ("Valparaiso",)),
)
SYNTHETIC_THEMES = {
    "Service design": ("User research", "Prototyping services", "Digital services"),
    "Local democracy": ("Citizens' assemblies", "Participatory budgeting", "Local elections"),
    "Public management": ("Performance management", "Commissioning", "Collaborative leadership"),
    "Community action": ("Volunteering", "Community assets", "Mutual aid"),
}
SYNTHETIC_AREAS = (
    "Health", "Social care", "Community safety", "Education", "Housing", "Environment",
    "Transport", "Libraries", "Young people's services", "Employment",
)
BOOK_KINDS = (Publication.Kind.BOOK, Publication.Kind.EDITED_BOOK, Publication.Kind.HANDBOOK)
# Relative frequency of each kind: articles and chapters are most common, as in real output.
KIND_WEIGHTS = (
    (Publication.Kind.JOURNAL_ARTICLE, 34),
    (Publication.Kind.CHAPTER, 28),
    (Publication.Kind.BOOK, 6),
    (Publication.Kind.EDITED_BOOK, 5),
    (Publication.Kind.HANDBOOK, 2),
    (Publication.Kind.REPORT, 12),
    (Publication.Kind.WORKING_PAPER, 8),
    (Publication.Kind.SCOPING_REVIEW, 3),
    (Publication.Kind.OTHER, 2),
)
CONTRIBUTOR_COUNT_WEIGHTS = ((1, 30), (2, 28), (3, 20), (4, 11), (5, 7), (6, 4))


class CopyWriter:
    """Runs one bulk load's COPY statements, in the order given, on a background thread.

    Python builds batch N+1 while PostgreSQL loads batch N (and maintains its indexes and the
    facet-row triggers) on the other core; before, each waited for the other. Same connection,
    so same transaction. A failure in the thread is raised in the caller at the next
    ``submit`` or at ``close``.
    """

    def __init__(self):
        connection.ensure_connection()
        self.raw = connection.connection
        self.jobs = queue.Queue(maxsize=2)
        self.error = None
        self.thread = threading.Thread(target=self._run, name="synthetic-copy", daemon=True)
        self.thread.start()

    def _run(self):
        while (job := self.jobs.get()) is not None:
            if self.error is not None:
                continue  # keep draining, so the caller never blocks on a dead writer
            sql, rows = job
            try:
                with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            except BaseException as error:  # noqa: BLE001 (handed to the caller)
                self.error = error

    def _raise(self):
        if self.error is not None:
            raise self.error

    def submit(self, sql, rows):
        self._raise()
        self.jobs.put((sql, rows))

    def close(self, failed=False):
        """Wait for the jobs to finish; raise the thread's error unless the caller is already
        failing (``failed``), whose own error then stays the one reported."""
        self.jobs.put(None)
        self.thread.join()
        if not failed:
            self._raise()


def insert_rows(model, columns, rows, writer=None):
    """Insert plain tuples into `model`'s table: COPY on PostgreSQL, executemany elsewhere.

    Used for the link tables, which hold most of the rows. Building a model instance per link
    row made bulk_create spend most of its time in Python (about 38 s for 100,000 publications
    on a 2-core machine); plain tuples cut that to a small part of the run (docs/performance.md
    keeps the timings). With a :class:`CopyWriter` the COPY runs on its thread (the rows are
    listed here first).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    if writer is not None and connection.vendor == "postgresql":
        writer.submit(f"COPY {table} ({column_list}) FROM STDIN", list(rows))
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            for chunk in batched(rows, BATCH):
                # Table and column names come from model metadata; values are parameters.
                sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608
                cursor.executemany(sql, chunk)


def reserve_ids(model, count):
    """``count`` primary keys from the table's sequence (PostgreSQL), as an iterator."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return iter([pk for (pk,) in cursor.fetchall()])


def insert_items(model, objects, writer=None, ids=None):
    """Insert model instances and return them with primary keys set.

    PostgreSQL: take the ids from the table's sequence (or from ``ids``, reserved beforehand
    with :func:`reserve_ids`), then COPY the rows. Values go in as generated, without each
    field's save-time cleaning, which bulk_create spends most of its time on; the generator
    only produces clean values (plain HTML, lower-case DOIs, 13-digit ISBNs). Elsewhere:
    bulk_create.
    """
    if connection.vendor != "postgresql" or not objects:
        return model.objects.bulk_create(objects)
    ids = ids if ids is not None else reserve_ids(model, len(objects))
    for obj in objects:
        obj.pk = next(ids)
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    auto_now = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    for obj in objects:
        for name in auto_now:
            setattr(obj, name, now)
    files = {f.attname for f in fields if isinstance(f, models.FileField)}
    insert_rows(
        model,
        [f.column for f in fields],
        (
            [getattr(obj, f.attname).name or "" if f.attname in files else getattr(obj, f.attname) for f in fields]
            for obj in objects
        ),
        writer,
    )
    return objects


def batched(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Progress:
    """A tqdm bar on a terminal; plain "label: done/total" lines otherwise (logs, CI, tests)."""

    def __init__(self, stdout, label, total):
        self.stdout, self.label, self.total, self.done = stdout, label, total, 0
        self.is_tty = hasattr(stdout, "isatty") and stdout.isatty()
        self.bar = tqdm(total=total, desc=label, unit="", file=sys.stdout) if self.is_tty else None
        self.next_line = 0

    def update(self, n):
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.done >= self.next_line or self.done == self.total:
            # A line about every tenth of the work, and always at the end.
            self.stdout.write(f"{self.label}: {self.done}/{self.total}")
            step = max(1, self.total // 10)
            self.next_line = (self.done // step + 1) * step

    def close(self):
        if self.bar is not None:
            self.bar.close()
        elif self.done == 0:
            self.stdout.write(f"{self.label}: 0/{self.total}")


class Command(BaseCommand):
    help = (
        "Generate synthetic publications, contributors and case studies (deterministic for a "
        "seed, marked as synthetic everywhere) for load and performance tests."
    )

    def add_arguments(self, parser):
        parser.add_argument("--publications", type=int, default=1000)
        parser.add_argument("--contributors", type=int, default=200)
        parser.add_argument("--case-studies", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--themes-from-starter",
            action="store_true",
            help="Tag items with the starter themes and service areas (load_starter_content "
            "first) instead of creating synthetic ones.",
        )
        parser.add_argument(
            "--clear", action="store_true", help="Delete all existing synthetic content first."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Generate everything, then roll it back."
        )

    def handle(self, *args, **options):
        for name in ("publications", "contributors", "case_studies"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        if options["publications"] and not options["contributors"]:
            raise CommandError("Publications need contributors: pass --contributors 1 or more.")
        self.rng = random.Random(options["seed"])
        self.tag = f"{PREFIX}s{options['seed']}-"
        started = time.monotonic()
        with transaction.atomic():
            if options["clear"]:
                self.clear()
            if Publication.objects.filter(slug__startswith=self.tag).exists() or (
                Contributor.objects.filter(slug__startswith=self.tag).exists()
            ):
                raise CommandError(
                    f"Synthetic content for seed {options['seed']} already exists: pass --clear "
                    "to replace it."
                )
            wanted = options["publications"] + options["contributors"] + options["case_studies"]
            defer_counts = connection.vendor == "postgresql" and options["publications"] > 0
            deferred_schema = []
            if defer_counts:
                # One set-based rebuild of the facet rows (publications migration 0008) and of
                # the per-theme counts (0007) at the end costs less than keeping them batch by
                # batch: 100,000 publications took about 38 s with the triggers, 29 s without.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL inlogov.defer_facet_rows = on")
                    cursor.execute("SET LOCAL inlogov.defer_scope_counts = on")
                deferred_schema = self.defer_schema_upkeep(options["publications"])
            # `--clear` with nothing to generate only clears: no synthetic themes are left behind.
            themes, areas = self.taxonomy(options["themes_from_starter"]) if wanted else ([], [])
            contributor_ids = self.make_contributors(options["contributors"], themes)
            publication_ids = self.make_publications(
                options["publications"], contributor_ids, themes, areas
            )
            self.make_case_studies(
                options["case_studies"], contributor_ids, publication_ids, themes, areas
            )
            if defer_counts:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL inlogov.defer_facet_rows = off")
                    cursor.execute("SELECT publications_rebuild_facet_rows()")
                    cursor.execute("SET LOCAL inlogov.defer_scope_counts = off")
                    cursor.execute("SELECT publications_rebuild_scope_counts(NULL)")
                    for statement in deferred_schema:
                        cursor.execute(statement)
            if options["dry_run"]:
                transaction.set_rollback(True)
        elapsed = time.monotonic() - started
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING(f"Dry run: nothing saved ({elapsed:.1f} s)."))
            return
        bump_content_version()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {options['publications']} publications, {options['contributors']} "
                f"contributors and {options['case_studies']} case studies in {elapsed:.1f} s."
            )
        )

    # --- Indexes and foreign keys ----------------------------------------------------------

    # Loads of at least this many publications into empty tables build their secondary indexes
    # and check their foreign keys once, at the end, instead of row by row.
    SCHEMA_AFTER_LOAD = 10_000

    def defer_schema_upkeep(self, publications):
        """Drop the secondary indexes and the foreign keys of the tables a large load into empty
        tables fills, and return the statements that put them back exactly
        (``pg_get_indexdef``, ``pg_get_constraintdef``), for the end of the same transaction.

        At 100,000 publications, keeping some sixty indexes up to date during COPY cost about
        7 s and checking each of some 600,000 rows' foreign keys at commit about 6 s; building
        the indexes afterwards takes about 3 s, and each foreign key is then checked by one
        join. Unique and primary-key indexes stay: constraints and the facet-row upsert use
        them. Only into empty tables, because rebuilding the indexes of a large existing
        catalogue would cost more than it saves; and the DDL holds an exclusive lock on each
        table until the load commits, which a running site would notice, whereas an empty
        catalogue has no readers to speak of. A failed load rolls all of it back.
        """
        if publications < self.SCHEMA_AFTER_LOAD or Publication.objects.exists():
            return []
        tables = [
            model._meta.db_table
            for model in (
                Publication, PublicationContributor, Publication.themes.through, Publication.service_areas.through,
                CaseStudy, CaseStudy.themes.through, CaseStudy.service_areas.through,
                CaseStudy.source_publications.through, CaseStudy.contributors.through,
                Contributor, Contributor.expertise.through,
            )
        ] + ["publications_facetrow", "publications_searchrow"]
        def quote(name):  # an identifier as PostgreSQL reads it (quote_name does not double quotes)
            return '"' + name.replace('"', '""') + '"'

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = ANY(%s) AND c.contype = 'f' ORDER BY 1, 2",
                [tables],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) "
                "AND NOT i.indisunique AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "ORDER BY 1",
                [tables],
            )
            indexes = cursor.fetchall()
            # PostgreSQL alters no table with foreign-key checks pending (after `--clear`, or
            # earlier writes in the same transaction): run them now, then defer again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        return [definition for _name, definition in indexes] + [
            f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}" for table, name, definition in foreign_keys
        ]

    # --- Clearing -------------------------------------------------------------------------

    def clear(self):
        """Delete every synthetic row (any seed) with plain DELETE statements.

        `_raw_delete` skips Django's collector: the ORM's delete() would load every row and send
        a signal per row (one history entry each), far too slow for 100,000 items.
        """
        synthetic = {"slug__startswith": PREFIX}
        pubs = Publication.objects.filter(**synthetic)
        cases = CaseStudy.objects.filter(**synthetic)
        people = Contributor.objects.filter(**synthetic)
        themes = Theme.objects.filter(**synthetic)
        through_rows = [
            CaseStudy.themes.through.objects.filter(casestudy__in=cases),
            CaseStudy.service_areas.through.objects.filter(casestudy__in=cases),
            CaseStudy.contributors.through.objects.filter(casestudy__in=cases),
            CaseStudy.source_publications.through.objects.filter(casestudy__in=cases),
            CaseStudy.source_publications.through.objects.filter(publication__in=pubs),
            Publication.themes.through.objects.filter(publication__in=pubs),
            Publication.service_areas.through.objects.filter(publication__in=pubs),
            PublicationContributor.objects.filter(publication__in=pubs),
            Contributor.expertise.through.objects.filter(contributor__in=people),
        ]
        for queryset in through_rows:
            queryset._raw_delete(queryset.db)
        for queryset in (
            cases,
            pubs.filter(parent__isnull=False),
            pubs,
            people,
            themes.filter(parent__isnull=False),
            themes,
            ServiceArea.objects.filter(**synthetic),
        ):
            queryset._raw_delete(queryset.db)

    # --- Themes and service areas ---------------------------------------------------------

    def taxonomy(self, from_starter):
        if from_starter:
            theme_slugs = [item["slug"] for item in starter_content.THEMES]
            area_slugs = [item["slug"] for item in starter_content.SERVICE_AREAS]
            themes = list(Theme.objects.filter(slug__in=theme_slugs).order_by("slug").values_list("pk", flat=True))
            areas = list(
                ServiceArea.objects.filter(slug__in=area_slugs).order_by("slug").values_list("pk", flat=True)
            )
            if len(themes) != len(theme_slugs) or len(areas) != len(area_slugs):
                raise CommandError("Starter themes are missing: run load_starter_content first.")
            return themes, areas

        themes = []
        for order, (name, children) in enumerate(SYNTHETIC_THEMES.items()):
            parent = self.theme(name, None, order * 10)
            themes.append(parent.pk)
            for child_order, child in enumerate(children, start=1):
                themes.append(self.theme(child, parent, order * 10 + child_order).pk)
        areas = []
        for order, name in enumerate(SYNTHETIC_AREAS):
            slug = f"{self.tag}area-{order + 1:02d}"
            area, _ = ServiceArea.objects.get_or_create(
                slug=slug, defaults={"name": f"{MARK} {name} ({self.tag[:-1]})", "order": 100 + order}
            )
            areas.append(area.pk)
        return themes, areas

    def theme(self, name, parent, order):
        slug = f"{self.tag}theme-{order:02d}"
        theme, _ = Theme.objects.get_or_create(
            slug=slug,
            defaults={
                "name": f"{MARK} {name}",
                "parent": parent,
                "order": 100 + order,
                "status": Status.PUBLISHED,
                "description": "<p>A synthetic theme, generated for load testing.</p>",
            },
        )
        return theme

    # --- Contributors ---------------------------------------------------------------------

    def make_contributors(self, total, themes):
        rng = self.rng
        progress = Progress(self.stdout, "contributors", total)
        rows, expertise = [], []
        for i in range(1, total + 1):
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            rows.append(
                Contributor(
                    given_name=given,
                    family_name=family,
                    display_name=f"{given} {family} (synthetic)",
                    slug=f"{self.tag}person-{i:06d}",
                    honorific=rng.choice(HONORIFICS),
                    position=rng.choice(POSITIONS),
                    relation=rng.choices(
                        Contributor.Relation.values, weights=(25, 15, 5, 55)
                    )[0],
                    biography=f"<p>A synthetic person, generated for load testing. Works on "
                    f"{rng.choice(TOPICS).lower()} {rng.choice(CONCERNS)}.</p>",
                    status=Status.PUBLISHED if rng.random() < 0.97 else Status.DRAFT,
                )
            )
            expertise.append(rng.sample(themes, rng.randint(0, min(3, len(themes)))))
        ids = []
        for chunk in batched(rows, BATCH):
            ids.extend(obj.pk for obj in Contributor.objects.bulk_create(chunk))
            progress.update(len(chunk))
        progress.close()
        insert_rows(
            Contributor.expertise.through,
            ("contributor_id", "theme_id"),
            ((pk, theme) for pk, chosen in zip(ids, expertise, strict=True) for theme in chosen),
        )
        return ids

    # --- Publications ---------------------------------------------------------------------

    def make_publications(self, total, contributor_ids, themes, areas):
        """Books and other stand-alone items first in each batch, then chapters inside books
        made so far, so a chapter's parent always exists when it is inserted. On PostgreSQL the
        ids are reserved up front and a CopyWriter loads each batch while the next is built."""
        progress = Progress(self.stdout, "publications", total)
        postgres = connection.vendor == "postgresql" and total > 0
        ids = reserve_ids(Publication, total) if postgres else None
        writer = CopyWriter() if postgres else None
        try:
            all_ids = self.publication_batches(total, contributor_ids, themes, areas, progress, ids, writer)
        except BaseException:
            if writer is not None:
                writer.close(failed=True)
            raise
        if writer is not None:
            writer.close()
        progress.close()
        return all_ids

    def publication_batches(self, total, contributor_ids, themes, areas, progress, ids, writer):
        rng = self.rng
        kinds, weights = zip(*KIND_WEIGHTS, strict=True)
        counts, count_weights = zip(*CONTRIBUTOR_COUNT_WEIGHTS, strict=True)
        books = []  # (pk, year, title, publisher)
        all_ids = []
        number = 0
        for size in (min(BATCH, total - start) for start in range(0, total, BATCH)):
            planned = rng.choices(kinds, weights=weights, k=size)
            if not books and not any(k in BOOK_KINDS for k in planned):
                # Chapters need a book to sit in: with none made yet, make them books instead.
                planned = [Publication.Kind.BOOK if k == Publication.Kind.CHAPTER else k for k in planned]
            standalone = [k for k in planned if k != Publication.Kind.CHAPTER]
            chapters = [k for k in planned if k == Publication.Kind.CHAPTER]
            for group in (standalone, chapters):
                objects, credits, tags, areas_chosen = [], [], [], []
                for kind in group:
                    number += 1
                    obj = self.publication(number, kind, books)
                    objects.append(obj)
                    n = rng.choices(counts, weights=count_weights)[0]
                    credits.append(rng.sample(contributor_ids, min(n, len(contributor_ids))))
                    tags.append(rng.sample(themes, rng.randint(1, min(4, len(themes)))) if themes else [])
                    areas_chosen.append(rng.sample(areas, rng.randint(0, min(3, len(areas)))))
                created = insert_items(Publication, objects, writer, ids)
                self.publication_relations(created, credits, tags, areas_chosen, writer)
                for obj in created:
                    all_ids.append(obj.pk)
                    if obj.kind in BOOK_KINDS:
                        books.append((obj.pk, obj.year, obj.title, obj.publisher))
                progress.update(len(created))
        return all_ids

    def publication(self, number, kind, books):
        rng = self.rng
        topic = rng.choice(TOPICS)
        title = rng.choice(FRAMES).format(topic=topic, concern=rng.choice(CONCERNS))
        # Skewed towards recent years, as the hub's real output is.
        year = int(rng.triangular(1990, 2026.999, 2026))
        obj = Publication(
            title=f"{MARK} {title}",
            slug=f"{self.tag}pub-{number:06d}",
            kind=kind,
            year=year,
            abstract=(
                f"<p>Synthetic abstract, generated for load testing (item {number}). It stands in "
                f"for a study of {topic.lower()} {rng.choice(CONCERNS)} and reports no real "
                f"findings.</p>"
            ),
            is_open_access=rng.random() < 0.35,
            is_featured=rng.random() < 0.002,
            status=Status.PUBLISHED if rng.random() < 0.97 else Status.DRAFT,
        )
        if rng.random() < 0.6:
            obj.doi = f"10.5555/synthetic.{self.tag[len(PREFIX):-1]}.{number:06d}"
        if kind == Publication.Kind.CHAPTER:
            parent_pk, obj.year, book_title, obj.publisher = rng.choice(books)
            obj.parent_id = parent_pk
            first = rng.randint(1, 400)
            obj.pages = f"{first}-{first + rng.randint(8, 40)}"
        elif kind == Publication.Kind.JOURNAL_ARTICLE:
            obj.container_title = rng.choice(JOURNALS)
            obj.volume = str(rng.randint(1, 50))
            obj.issue = str(rng.randint(1, 6))
            first = rng.randint(1, 900)
            obj.pages = f"{first}-{first + rng.randint(10, 30)}"
        else:
            obj.publisher = rng.choice(PUBLISHERS)
            obj.place = rng.choice(PLACES)
            if kind in BOOK_KINDS and rng.random() < 0.8:
                base = "9798" + "".join(str(rng.randint(0, 9)) for _ in range(8))
                obj.isbn = base + isbn13_check(base)
        return obj

    def publication_relations(self, created, credits, tags, areas_chosen, writer=None):
        role_for_kind = {
            Publication.Kind.EDITED_BOOK: PublicationContributor.Role.EDITOR,
            Publication.Kind.HANDBOOK: PublicationContributor.Role.EDITOR,
            Publication.Kind.CHAPTER: PublicationContributor.Role.CHAPTER_AUTHOR,
        }
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        insert_rows(
            PublicationContributor,
            ("publication_id", "contributor_id", "role", "position", "created_at", "updated_at"),
            (
                (obj.pk, person, role_for_kind.get(obj.kind, "author"), position, now, now)
                for obj, people in zip(created, credits, strict=True)
                for position, person in enumerate(people)
            ),
            writer,
        )
        insert_rows(
            Publication.themes.through,
            ("publication_id", "theme_id"),
            ((obj.pk, theme) for obj, chosen in zip(created, tags, strict=True) for theme in chosen),
            writer,
        )
        insert_rows(
            Publication.service_areas.through,
            ("publication_id", "servicearea_id"),
            ((obj.pk, area) for obj, chosen in zip(created, areas_chosen, strict=True) for area in chosen),
            writer,
        )

    # --- Case studies ---------------------------------------------------------------------

    def make_case_studies(self, total, contributor_ids, publication_ids, themes, areas):
        rng = self.rng
        progress = Progress(self.stdout, "case studies", total)
        for start in range(0, total, BATCH):
            objects, relations = [], []
            for number in range(start + 1, min(start + BATCH, total) + 1):
                country, localities = rng.choice(COUNTRIES)
                locality = rng.choice(localities)
                topic = rng.choice(TOPICS)
                year_started = rng.randint(1995, 2025)
                ongoing = rng.random() < 0.4
                year_ended = None if ongoing or rng.random() < 0.2 else rng.randint(year_started, 2026)
                objects.append(
                    CaseStudy(
                        title=f"{MARK} {topic} in {locality}",
                        slug=f"{self.tag}case-{number:06d}",
                        summary=f"A synthetic case study of {topic.lower()} in {locality}, "
                        "generated for load testing.",
                        body=f"<p>Synthetic case study {number}: this text stands in for an "
                        "account of a real initiative and describes nothing that happened.</p>",
                        country=country,
                        locality=locality,
                        year_started=year_started,
                        year_ended=year_ended,
                        is_ongoing=ongoing,
                        organisations=f"{MARK} {locality} Council\n{MARK} {locality} Residents' Forum",
                        outcomes="<p>Synthetic outcomes: none real.</p>",
                        status=Status.PUBLISHED if rng.random() < 0.97 else Status.DRAFT,
                    )
                )
                relations.append(
                    (
                        rng.sample(themes, rng.randint(1, min(4, len(themes)))) if themes else [],
                        rng.sample(areas, rng.randint(1, min(3, len(areas)))) if areas else [],
                        rng.sample(publication_ids, min(rng.randint(0, 3), len(publication_ids))),
                        rng.sample(contributor_ids, min(rng.randint(0, 2), len(contributor_ids))),
                    )
                )
            created = CaseStudy.objects.bulk_create(objects)
            links = (
                (CaseStudy.themes.through, "theme_id", 0),
                (CaseStudy.service_areas.through, "servicearea_id", 1),
                (CaseStudy.source_publications.through, "publication_id", 2),
                (CaseStudy.contributors.through, "contributor_id", 3),
            )
            for through, column, index in links:
                insert_rows(
                    through,
                    ("casestudy_id", column),
                    ((obj.pk, target) for obj, chosen in zip(created, relations, strict=True) for target in chosen[index]),
                )
            progress.update(len(created))
        progress.close()
