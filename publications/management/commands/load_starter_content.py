"""Load the institute's real starter content (themes, service areas, people, publications and
case studies) from `publications/starter_content.py`.

Idempotent: every item is keyed on its slug and saved only when a value differs, so a second
run writes nothing (no new rows, no new history entries, unchanged `updated_at`).

Once an item exists, it belongs to the editors: by default a later run (every `make run` does
one) only adds starter items that are missing and never touches existing ones, so nothing staff
saved in the admin is lost. `--update` brings existing starter items back in line with the
starter data, overwriting staff edits to them; use it deliberately.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from inlogov.caching import bump_content_version
from inlogov.identifiers import _NormalizedCharField
from inlogov.publishing import Status
from inlogov.richtext import RichTextField, sanitize_html
from people.models import Contributor
from publications import starter_content as data
from publications.models import CaseStudy, Publication, PublicationContributor
from themes.models import ServiceArea, Theme


def _stored_form(field, value):
    """The value as it will be stored, so a comparison is not fooled by save-time cleaning."""
    if isinstance(field, RichTextField):
        value = sanitize_html(value)
    elif isinstance(field, _NormalizedCharField):
        value = field.normalizer(value)
    return field.get_prep_value(value)


class Command(BaseCommand):
    help = "Load (or update) the institute's starter themes, people, publications and case studies."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change, then roll everything back.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also overwrite existing starter items (and their links) with the starter data, "
            "discarding staff edits to them. Without it, existing items are left as they are.",
        )

    def handle(self, *args, dry_run=False, update=False, **options):
        self.update = update
        self.created = set()
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "already present": 0}
        with transaction.atomic():
            self.load()
            if dry_run:
                transaction.set_rollback(True)
        summary = ", ".join(f"{n} {label}" for label, n in self.counts.items())
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run, nothing saved. Would be: {summary}."))
            return
        bump_content_version()
        self.stdout.write(self.style.SUCCESS(f"Starter content loaded: {summary}."))

    def load(self):
        themes = {}
        for item in data.THEMES:
            parent = themes[item["parent"]] if item["parent"] else None
            themes[item["slug"]] = self.sync(
                Theme,
                item["slug"],
                name=item["name"],
                description=item["description"],
                parent_id=parent.pk if parent else None,
                order=item["order"],
                status=Status.PUBLISHED,
                publish_from=None,
            )

        areas = {
            item["slug"]: self.sync(ServiceArea, item["slug"], name=item["name"], order=item["order"])
            for item in data.SERVICE_AREAS
        }

        people = {}
        for item in data.PEOPLE:
            person = self.sync(
                Contributor,
                item["slug"],
                given_name=item["given_name"],
                family_name=item["family_name"],
                honorific=item.get("honorific", ""),
                position=item.get("position", ""),
                relation=item["relation"],
                biography=item["biography"],
                status=Status.PUBLISHED,
                publish_from=None,
            )
            self.sync_m2m(person, person.expertise, [themes[slug] for slug in item["expertise"]])
            people[item["slug"]] = person

        publications = {}
        for item in data.PUBLICATIONS:
            parent = publications[item["parent"]] if item.get("parent") else None
            fields = {
                name: item.get(name, "")
                for name in ("subtitle", "publisher", "place", "pages", "doi", "isbn", "abstract")
            }
            publication = self.sync(
                Publication,
                item["slug"],
                title=item["title"],
                kind=item["kind"],
                year=item["year"],
                parent_id=parent.pk if parent else None,
                is_featured=item.get("is_featured", False),
                status=Status.PUBLISHED,
                publish_from=None,
                **fields,
            )
            self.sync_m2m(publication, publication.themes, [themes[slug] for slug in item["themes"]])
            self.sync_m2m(publication, publication.service_areas, [areas[slug] for slug in item["service_areas"]])
            if self.owns(publication):
                self.sync_contributions(
                        publication, [(people[slug], role) for slug, role in item["contributors"]]
                )
            publications[item["slug"]] = publication

        sources = [publications[slug] for slug in data.CASE_STUDY_SOURCES]
        for item in data.CASE_STUDIES:
            case = self.sync(
                CaseStudy,
                item["slug"],
                title=item["title"],
                summary=item["summary"],
                body=item["body"],
                country=item["country"],
                locality=item["locality"],
                organisations=item.get("organisations", ""),
                status=Status.PUBLISHED,
                publish_from=None,
            )
            self.sync_m2m(case, case.themes, [themes[slug] for slug in item["themes"]])
            self.sync_m2m(case, case.service_areas, [areas[slug] for slug in item["service_areas"]])
            self.sync_m2m(case, case.source_publications, sources)

    def sync(self, model, slug, **values):
        """Create the item with this slug, or update only the fields that differ."""
        obj = model.objects.filter(slug=slug).first()
        if obj is None:
            obj = model(slug=slug, **values)
            obj.full_clean()
            obj.save()
            self.counts["created"] += 1
            self.created.add((model, obj.pk))
            return obj
        if not self.update:
            self.counts["already present"] += 1
            return obj
        changed = []
        for name, value in values.items():
            field = model._meta.get_field(name.removesuffix("_id"))
            current = field.get_prep_value(getattr(obj, field.attname))
            if current != _stored_form(field, value):
                setattr(obj, field.attname, value)
                changed.append(field.attname)
        if changed:
            obj.full_clean()
            obj.save()
            self.counts["updated"] += 1
        else:
            self.counts["unchanged"] += 1
        return obj

    def owns(self, obj):
        """True when this run may write the item's links: it was just created, or --update."""
        return self.update or (type(obj), obj.pk) in self.created

    def sync_m2m(self, obj, manager, objects):
        # `set()` adds and removes only the difference, so matching rows are left untouched.
        if self.owns(obj):
            manager.set(objects)

    @staticmethod
    def sync_contributions(publication, credits):
        """Credits in citation order; rewritten only when order, people or roles differ."""
        wanted = [(person.pk, role, position) for position, (person, role) in enumerate(credits)]
        current = list(
            publication.contributions.order_by("position").values_list("contributor_id", "role", "position")
        )
        if current == wanted:
            return
        # Delete first: the unique (publication, position) constraint forbids swapping in place.
        publication.contributions.all().delete()
        for pk, role, position in wanted:
            PublicationContributor.objects.create(
                publication=publication, contributor_id=pk, role=role, position=position
            )
